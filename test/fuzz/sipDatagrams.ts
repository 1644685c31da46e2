/**
 * Malformed SIP for Kamailio's UDP port and random RTP/RTCP for the
 * gateway's RTP ports, as raw datagrams (SIPp cannot send most of these: its
 * own parser refuses them).
 */
import type { Random } from './random.ts';

export function sipTemplates(host: string, port: number, localPort: number): string[] {
  const common = (method: string, uri: string, cseq: number, extra = '') =>
    `${method} ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK-fuzz${cseq}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:8003@${host}>;tag=fuzz${cseq}\r\nTo: <sip:6001@${host}>\r\n` +
    `Call-ID: fuzz-${cseq}@127.0.0.1\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:8003@127.0.0.1:${localPort}>\r\n${extra}`;
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n';
  return [
    `${common('REGISTER', `sip:${host}:${port}`, 1, 'Expires: 60\r\n')}Content-Length: 0\r\n\r\n`,
    `${common('INVITE', `sip:6001@${host}:${port}`, 2, 'Content-Type: application/sdp\r\n')}Content-Length: ${sdp.length}\r\n\r\n${sdp}`,
    `${common('OPTIONS', `sip:${host}:${port}`, 3)}Content-Length: 0\r\n\r\n`,
    `${common('BYE', `sip:6001@${host}:${port}`, 4)}Content-Length: 0\r\n\r\n`,
  ];
}

const SIP_MUTATIONS = [
  'truncate',
  'flipBytes',
  'dropLine',
  'duplicateLine',
  'hugeHeader',
  'contentLength',
  'badSdp',
  'random',
  'empty',
  'oddText',
] as const;

export function mutateSip(random: Random, message: string): { name: string; data: Buffer } {
  const name = random.pick(SIP_MUTATIONS);
  const lines = message.split('\r\n');
  const line = random.int(0, Math.max(0, lines.length - 3));
  const data = ((): string | Buffer => {
    switch (name) {
      case 'truncate':
        return message.slice(0, random.int(0, message.length - 1));
      case 'flipBytes': {
        const bytes = Buffer.from(message);
        for (let i = random.int(1, 10); i > 0; i--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
        return bytes;
      }
      case 'dropLine':
        return lines.filter((_, i) => i !== line).join('\r\n');
      case 'duplicateLine':
        return lines.flatMap((l, i) => (i === line ? Array(random.int(2, 200)).fill(l) : [l])).join('\r\n');
      case 'hugeHeader':
        return message.replace('\r\n\r\n', `\r\nX-Fuzz: ${'A'.repeat(random.int(1_000, 60_000))}\r\n\r\n`);
      case 'contentLength':
        return message.replace(
          /Content-Length: \d+/,
          `Content-Length: ${random.pick(['-1', '999999', 'x', '', '4294967296'])}`,
        );
      case 'badSdp':
        return message.replace(
          /m=audio \d+ RTP\/AVP [\d ]+/,
          random.pick(['m=audio 99999 RTP/AVP 8', 'm=audio x', 'm=', 'm=video 4000 RTP/AVP 96', 'c=IN IP4 999.1.1.1']),
        );
      case 'random':
        return Buffer.from(Array.from({ length: random.int(1, 1_400) }, () => random.int(0, 255)));
      case 'empty':
        return random.pick(['', '\r\n', '\r\n\r\n', ' ']);
      case 'oddText':
        return message.replace(
          /sip:6001/,
          random.pick(['sip:\u0000', 'sip:鹿城镇', 'sip:%00', 'sips:', 'tel:', `sip:${'9'.repeat(5_000)}`]),
        );
    }
  })();
  return { name, data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8') };
}

/** Random bytes, or an RTP or RTCP header with random fields and a random body. */
export function randomRtp(random: Random): Buffer {
  const kind = random.pick(['bytes', 'rtp', 'rtcp'] as const);
  const body = Buffer.from(Array.from({ length: random.int(0, 1_200) }, () => random.int(0, 255)));
  if (kind === 'bytes') return body;
  const header = Buffer.alloc(12);
  header[0] = 0x80 | random.int(0, 0x3f);
  header[1] = kind === 'rtp' ? random.int(0, 255) : random.int(200, 206);
  header.writeUInt16BE(random.int(0, 0xffff), 2);
  header.writeUInt32BE(random.int(0, 0xffffffff), 4);
  header.writeUInt32BE(random.int(0, 0xffffffff), 8);
  return Buffer.concat([header, body]);
}
