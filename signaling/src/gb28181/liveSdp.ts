/**
 * The SDP of a GB/T 28181 live view (§9.2 and annex F): the platform offers
 * to receive MPEG-PS over RTP (payload type 96, PS/90000) and adds the
 * `y=` line — the 10-digit SSRC the device must use, `0` for live view, then
 * digits 4–8 of the domain code and a 4-digit serial. The device answers with
 * its own address and, usually, the same `y=`.
 */
import { GbError } from './GbError.ts';

export function liveViewSsrc(realm: string, serial: number): string {
  return `0${realm.slice(3, 8)}${String(serial % 10_000).padStart(4, '0')}`;
}

export function liveViewOffer(opts: {
  serverId: string;
  ip: string;
  port: number;
  ssrc: string;
  /** 'tcp': RTP over TCP (RFC 4571), we listen (a=setup:passive) and the device connects. */
  transport?: 'udp' | 'tcp';
}): Buffer {
  const tcp = opts.transport === 'tcp';
  const lines = [
    'v=0',
    `o=${opts.serverId} 0 0 IN IP4 ${opts.ip}`,
    's=Play',
    `c=IN IP4 ${opts.ip}`,
    't=0 0',
    `m=video ${opts.port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`,
    'a=recvonly',
    ...(tcp ? ['a=setup:passive', 'a=connection:new'] : []),
    'a=rtpmap:96 PS/90000',
    `y=${opts.ssrc}`,
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

export interface LiveViewAnswer {
  ip: string;
  port: number;
  /** The y= SSRC as a number; null when the device left it out. */
  ssrc: number | null;
}

/** Reads a device's answer; `sdp_unusable` when it has no video media with PS on payload type 96. */
export function readLiveViewAnswer(body: Buffer): LiveViewAnswer {
  const text = body.toString('latin1');
  const line = (prefix: string) =>
    text
      .split(/\r?\n/)
      .find((l) => l.startsWith(prefix))
      ?.slice(prefix.length)
      .trim();
  const media = line('m=video ');
  const ip = line('c=IN IP4 ');
  if (!media || !ip) throw new GbError('sdp_unusable', 'answer without m=video or c=IN IP4');
  const [port, , ...payloadTypes] = media.split(/\s+/);
  if (!payloadTypes.includes('96') || !/a=rtpmap:96 PS\/90000/i.test(text)) {
    throw new GbError('sdp_unusable', `answer does not send PS on payload type 96 (m=video ${media.slice(0, 60)})`);
  }
  const y = line('y=');
  return { ip, port: Number(port), ssrc: y && /^\d{1,10}$/.test(y) ? Number(y) : null };
}
