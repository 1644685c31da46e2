/**
 * The small slice of SDP (RFC 4566 / RFC 3264) a desk phone and the gateway
 * exchange: one audio stream, plain RTP/AVP, G.711 or G.722 and telephone-event.
 * Anything else in a phone's SDP (video, extra attributes) is ignored; an SDP
 * we cannot read is an `SdpError`, which the call layer answers with 488.
 */

import { CodedError } from '@beacon/common';
import type { SdpDirection } from './sipTypes.ts';

export type { SdpDirection };

export interface AudioCodec {
  payloadType: number;
  name: string;
  clockRate: number;
}

export interface AudioOffer {
  ip: string;
  port: number;
  codecs: AudioCodec[];
  telephoneEventPt: number | null;
  /**
   * The sender's direction. An RFC 2543-style hold (`c=0.0.0.0`) counts as
   * `sendonly` (or `inactive` if it also said recvonly/inactive): we must not
   * send to 0.0.0.0 either way.
   */
  direction: SdpDirection;
}

export type SdpErrorCode = 'sdp_invalid' | 'sdp_no_audio' | 'sdp_no_codec';

export class SdpError extends CodedError<SdpErrorCode> {
  override readonly name = 'SdpError';
}

/** Static payload types a phone may offer without an rtpmap line (RFC 3551). */
const STATIC_AUDIO: Record<number, { name: string; clockRate: number }> = {
  0: { name: 'PCMU', clockRate: 8000 },
  8: { name: 'PCMA', clockRate: 8000 },
  9: { name: 'G722', clockRate: 8000 },
  18: { name: 'G729', clockRate: 8000 },
};

const DIRECTIONS: readonly SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
const MAX_SDP_LENGTH = 16_384;

/** Parses the first audio stream of an SDP body. Throws `SdpError`, never anything else. */
export function parseAudioSdp(sdp: string): AudioOffer {
  if (typeof sdp !== 'string' || sdp.length === 0 || sdp.length > MAX_SDP_LENGTH) {
    throw new SdpError('sdp_invalid', 'empty or oversized SDP');
  }
  const lines = sdp.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines[0] !== 'v=0') throw new SdpError('sdp_invalid', 'SDP must start with v=0');
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) throw new SdpError('sdp_invalid', `not an SDP line: ${line.slice(0, 40)}`);
  }

  let sessionIp: string | null = null;
  let sessionDirection: SdpDirection | null = null;
  let audio: { port: number; pts: number[]; ip: string | null; direction: SdpDirection | null } | null = null;
  const rtpmap = new Map<number, { name: string; clockRate: number }>();
  let inAudio = false;
  let sawMedia = false;

  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2).trim();
    if (type === 'm') {
      sawMedia = true;
      inAudio = false;
      if (audio !== null) continue; // only the first audio stream is ours
      const match = /^audio (\d+)(?:\/\d+)? (RTP\/AVP|RTP\/AVPF) ([\d ]+)$/.exec(value);
      if (!match) continue;
      const port = Number(match[1]);
      if (port > 65535) throw new SdpError('sdp_invalid', `bad audio port ${match[1]}`);
      const pts = (match[3] ?? '').trim().split(/\s+/).map(Number);
      if (pts.some((pt) => !Number.isInteger(pt) || pt > 127)) throw new SdpError('sdp_invalid', 'bad payload type');
      audio = { port, pts, ip: null, direction: null };
      inAudio = true;
    } else if (type === 'c') {
      const ip = parseConnection(value);
      if (!sawMedia) sessionIp = ip;
      else if (inAudio && audio) audio.ip = ip;
    } else if (type === 'a') {
      if ((DIRECTIONS as readonly string[]).includes(value)) {
        if (!sawMedia) sessionDirection = value as SdpDirection;
        else if (inAudio && audio) audio.direction = value as SdpDirection;
      } else if (inAudio && value.startsWith('rtpmap:')) {
        const match = /^rtpmap:(\d+) ([A-Za-z0-9_.-]+)\/(\d+)(?:\/\d+)?$/.exec(value);
        if (!match) throw new SdpError('sdp_invalid', `bad rtpmap: ${value.slice(0, 40)}`);
        rtpmap.set(Number(match[1]), { name: match[2] ?? '', clockRate: Number(match[3]) });
      }
    }
  }

  if (!audio) throw new SdpError('sdp_no_audio', 'no RTP/AVP audio stream');
  const ip = audio.ip ?? sessionIp;
  if (ip === null) throw new SdpError('sdp_invalid', 'no connection address');

  const codecs: AudioCodec[] = [];
  let telephoneEventPt: number | null = null;
  for (const pt of audio.pts) {
    const codec = rtpmap.get(pt) ?? STATIC_AUDIO[pt];
    if (!codec) continue;
    if (codec.name.toLowerCase() === 'telephone-event') {
      if (codec.clockRate === 8000 && telephoneEventPt === null) telephoneEventPt = pt;
      continue;
    }
    codecs.push({ payloadType: pt, name: codec.name.toUpperCase(), clockRate: codec.clockRate });
  }

  let direction = audio.direction ?? sessionDirection ?? 'sendrecv';
  if (ip === '0.0.0.0' || audio.port === 0) {
    direction = direction === 'sendrecv' || direction === 'sendonly' ? 'sendonly' : 'inactive';
  }
  return { ip, port: audio.port, codecs, telephoneEventPt, direction };
}

function parseConnection(value: string): string {
  const match = /^IN IP([46]) ([^\s/]+)/.exec(value);
  if (!match) throw new SdpError('sdp_invalid', `bad connection line: ${value.slice(0, 40)}`);
  const ip = match[2] ?? '';
  const valid = match[1] === '4' ? /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) : /^[0-9a-fA-F:.]+$/.test(ip);
  if (!valid) throw new SdpError('sdp_invalid', `bad connection address: ${ip.slice(0, 40)}`);
  return ip;
}

export type PhoneAudioCodec = 'PCMU' | 'PCMA' | 'G722';

/**
 * The codec for a call: G.722 (wideband) when the phone lists it before any
 * G.711, else PCMU (the phones' usual default), else PCMA. Every one of them
 * runs an RTP clock of 8000 — G.722 too, though it samples at 16 kHz
 * (RFC 3551 §4.5.2) — so an rtpmap with another rate is not one we can use.
 */
export function chooseAudioCodec(offer: AudioOffer): { codec: PhoneAudioCodec; payloadType: number } {
  const usable = offer.codecs.filter(
    (codec) => codec.clockRate === 8000 && (codec.name === 'G722' || codec.name === 'PCMU' || codec.name === 'PCMA'),
  );
  const first = usable[0];
  if (first?.name === 'G722') return { codec: 'G722', payloadType: first.payloadType };
  for (const name of ['PCMU', 'PCMA'] as const) {
    const found = usable.find((codec) => codec.name === name);
    if (found) return { codec: name, payloadType: found.payloadType };
  }
  throw new SdpError('sdp_no_codec', 'none of G722, PCMU, PCMA offered at 8000');
}

export interface BuildAudioSdpOptions {
  ip: string;
  port: number;
  /** In preference order, e.g. G722 9, PCMU 0, PCMA 8. */
  payloadTypes: number[];
  /** Names of dynamic payload types (an answer repeats the phone's numbering); static ones are known. */
  codecNames?: Partial<Record<number, PhoneAudioCodec>>;
  telephoneEventPt: number | null;
  direction: SdpDirection;
  sessionId: string;
  sessionVersion: number;
}

const STATIC_NAMES: Record<number, PhoneAudioCodec> = { 0: 'PCMU', 8: 'PCMA', 9: 'G722' };

export function buildAudioSdp(opts: BuildAudioSdpOptions): string {
  const family = opts.ip.includes(':') ? 'IP6' : 'IP4';
  const pts = [...opts.payloadTypes, ...(opts.telephoneEventPt === null ? [] : [opts.telephoneEventPt])];
  const lines = [
    'v=0',
    `o=beacon ${opts.sessionId} ${opts.sessionVersion} IN ${family} ${opts.ip}`,
    's=Beacon',
    `c=IN ${family} ${opts.ip}`,
    't=0 0',
    `m=audio ${opts.port} RTP/AVP ${pts.join(' ')}`,
  ];
  for (const pt of opts.payloadTypes) {
    lines.push(`a=rtpmap:${pt} ${opts.codecNames?.[pt] ?? STATIC_NAMES[pt] ?? 'PCMU'}/8000`);
  }
  if (opts.telephoneEventPt !== null) {
    lines.push(`a=rtpmap:${opts.telephoneEventPt} telephone-event/8000`, `a=fmtp:${opts.telephoneEventPt} 0-15`);
  }
  lines.push('a=ptime:20', `a=${opts.direction}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 3264 §6.1: the answer's direction mirrors the offer's. */
export function answerDirection(remote: SdpDirection): SdpDirection {
  switch (remote) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    default:
      return remote;
  }
}
