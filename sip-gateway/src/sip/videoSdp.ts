/**
 * The video half of a SIP video terminal's SDP: the first `m=video` stream,
 * its H.264 payload types (RFC 6184 fmtp), where its RTCP goes and the
 * bandwidth it asked for (`b=AS` in kbit/s, `b=TIAS` in bit/s, RFC 3890).
 * Only packetization-mode 1 is taken: mode 0 (one NAL unit per packet) cannot
 * carry a hardware terminal's 720p key frames in an MTU, and every terminal
 * we serve offers mode 1 beside it. An offer without a usable H.264 is not a
 * failure: the answer rejects the video stream (port 0) and the call goes on
 * as audio only.
 */
import { SdpError } from './sdp.ts';
import type { SdpDirection } from './sipTypes.ts';

export interface H264Format {
  payloadType: number;
  /** Six hex digits, lower case; an offer that names none means baseline (RFC 6184's default), taken as 42001f. */
  profileLevelId: string;
  packetizationMode: number;
}

export interface VideoOffer {
  ip: string;
  port: number;
  /** Where the terminal wants RTCP: `a=rtcp`, else port + 1; the RTP port when it offered rtcp-mux. */
  rtcpPort: number;
  rtcpMux: boolean;
  h264: H264Format[];
  /** All payload types of the m-line, for an answer that rejects it. */
  payloadTypes: number[];
  /** The terminal's receive bandwidth for video in kbit/s (b=TIAS preferred over b=AS), null when unsaid. */
  bandwidthKbps: number | null;
  direction: SdpDirection;
  /** Position among the offer's m-lines (the answer keeps the order, RFC 3264 §6). */
  index: number;
  audioIndex: number;
}

const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
/** 4 Mbit/s: more than any terminal's 1080p asks; a larger b= is taken as this. */
export const MAX_VIDEO_KBPS = 4000;

/** The first video stream of an SDP that `parseAudioSdp` already accepted, or null when there is none. */
export function parseVideoSdp(sdp: string): VideoOffer | null {
  const lines = sdp.split(/\r?\n/).filter((line) => line.length > 0);
  let sessionIp: string | null = null;
  let index = -1;
  let audioIndex = -1;
  let video: (Omit<VideoOffer, 'h264' | 'ip' | 'rtcpPort'> & { ip: string | null; rtcpPort: number | null }) | null =
    null;
  let inVideo = false;
  const rtpmap = new Map<number, string>();
  const fmtp = new Map<number, string>();
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2).trim();
    if (type === 'm') {
      index += 1;
      inVideo = false;
      if (audioIndex < 0 && value.startsWith('audio ')) audioIndex = index;
      if (video !== null || !value.startsWith('video ')) continue;
      const match = /^video (\d+)(?:\/\d+)? (RTP\/AVP|RTP\/AVPF) ([\d ]+)$/.exec(value);
      if (!match) continue; // SRTP or another profile: not a stream we take.
      const port = Number(match[1]);
      if (port > 65535) throw new SdpError('sdp_invalid', `bad video port ${match[1]}`);
      const payloadTypes = (match[3] ?? '').trim().split(/\s+/).map(Number);
      if (payloadTypes.some((pt) => !Number.isInteger(pt) || pt > 127)) {
        throw new SdpError('sdp_invalid', 'bad video payload type');
      }
      video = {
        port,
        payloadTypes,
        ip: null,
        rtcpPort: null,
        rtcpMux: false,
        bandwidthKbps: null,
        direction: 'sendrecv',
        index,
        audioIndex: -1,
      };
      inVideo = true;
    } else if (type === 'c') {
      const ip = /^IN IP[46] ([^\s/]+)/.exec(value)?.[1] ?? null;
      if (index < 0) sessionIp = ip;
      else if (inVideo && video) video.ip = ip;
    } else if (type === 'b' && inVideo && video) {
      const tias = /^TIAS:(\d{1,10})$/.exec(value);
      const as = /^AS:(\d{1,10})$/.exec(value);
      if (tias) video.bandwidthKbps = Math.floor(Number(tias[1]) / 1000);
      else if (as && video.bandwidthKbps === null) video.bandwidthKbps = Number(as[1]);
    } else if (type === 'a' && inVideo && video) {
      if (DIRECTIONS.includes(value)) video.direction = value as SdpDirection;
      else if (value === 'rtcp-mux') video.rtcpMux = true;
      else if (value.startsWith('rtcp:')) {
        const port = Number(/^rtcp:(\d{1,5})/.exec(value)?.[1]);
        if (Number.isInteger(port) && port > 0 && port <= 65535) video.rtcpPort = port;
      } else if (value.startsWith('rtpmap:')) {
        const match = /^rtpmap:(\d+) ([A-Za-z0-9_.-]+)\/90000$/.exec(value);
        if (match) rtpmap.set(Number(match[1]), (match[2] ?? '').toUpperCase());
      } else if (value.startsWith('fmtp:')) {
        const match = /^fmtp:(\d+) (.*)$/.exec(value);
        if (match) fmtp.set(Number(match[1]), match[2] ?? '');
      }
    }
  }
  if (video === null) return null;
  const ip = video.ip ?? sessionIp;
  if (ip === null) throw new SdpError('sdp_invalid', 'no connection address for video');
  const h264: H264Format[] = [];
  for (const pt of video.payloadTypes) {
    if (rtpmap.get(pt) !== 'H264') continue;
    const params = fmtpParams(fmtp.get(pt) ?? '');
    const profile = params.get('profile-level-id');
    h264.push({
      payloadType: pt,
      profileLevelId: profile && /^[0-9a-fA-F]{6}$/.test(profile) ? profile.toLowerCase() : '42001f',
      packetizationMode: Number(params.get('packetization-mode') ?? 0),
    });
  }
  const rtcpPort = video.rtcpMux ? video.port : (video.rtcpPort ?? video.port + 1);
  return { ...video, ip, rtcpPort, h264, audioIndex };
}

function fmtpParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';')) {
    const [key, value] = part.split('=');
    if (key && value !== undefined) params.set(key.trim().toLowerCase(), value.trim());
  }
  return params;
}

/**
 * The H.264 format to answer with, or null (no video): packetization-mode 1
 * only, preferring what every Chromium decodes — constrained baseline, then
 * baseline, main, high (the router has one codec per profile).
 */
export function chooseH264(offer: VideoOffer): H264Format | null {
  const usable = offer.h264.filter((format) => format.packetizationMode === 1 && dynamic(format.payloadType));
  for (const rank of [isConstrainedBaseline, isBaseline, isMain, isHigh]) {
    const found = usable.find((format) => rank(format.profileLevelId));
    if (found) return found;
  }
  return null;
}

const dynamic = (pt: number) => pt >= 96 && pt <= 127;
const idc = (profile: string) => profile.slice(0, 2);
const iop = (profile: string) => Number.parseInt(profile.slice(2, 4), 16);
// RFC 6184 table 5: constrained baseline is profile_idc 0x42 with constraint_set1 (0x40), or 0x4d with set0.
const isConstrainedBaseline = (p: string) =>
  (idc(p) === '42' && (iop(p) & 0x40) !== 0) || (idc(p) === '4d' && (iop(p) & 0x80) !== 0);
const isBaseline = (p: string) => idc(p) === '42';
const isMain = (p: string) => idc(p) === '4d';
const isHigh = (p: string) => idc(p) === '64';

/** The profile the router knows for a format: mediasoup matches producers to router codecs by profile. */
export function routerProfileOf(format: H264Format): string {
  const p = format.profileLevelId;
  if (isConstrainedBaseline(p)) return '42e01f';
  if (isBaseline(p)) return '42001f';
  if (isMain(p)) return '4d001f';
  return '640028';
}

export interface VideoAnswerOptions {
  port: number;
  format: H264Format | null;
  /** The offer's payload types (repeated in a rejecting answer). */
  offeredPayloadTypes: number[];
  rtcpMux: boolean;
  /** What we are willing to receive, kbit/s. */
  bandwidthKbps: number;
  direction: SdpDirection;
}

/**
 * Adds the video m-section to an audio-only SDP, before the audio one when
 * the offer had video first.
 */
export function withVideoSection(audioSdp: string, videoLines: string[], videoFirst: boolean): string {
  const lines = audioSdp.trimEnd().split('\r\n');
  const audioAt = lines.findIndex((line) => line.startsWith('m=audio'));
  if (audioAt < 0 || !videoFirst) return `${[...lines, ...videoLines].join('\r\n')}\r\n`;
  return `${[...lines.slice(0, audioAt), ...videoLines, ...lines.slice(audioAt)].join('\r\n')}\r\n`;
}

/** The answer's video m-section: accepted (one H.264 format) or rejected with port 0. */
export function buildVideoSection(opts: VideoAnswerOptions): string[] {
  if (opts.format === null) return [`m=video 0 RTP/AVP ${opts.offeredPayloadTypes.join(' ')}`];
  const pt = opts.format.payloadType;
  return [
    `m=video ${opts.port} RTP/AVP ${pt}`,
    `b=AS:${opts.bandwidthKbps}`,
    `b=TIAS:${opts.bandwidthKbps * 1000}`,
    `a=rtpmap:${pt} H264/90000`,
    `a=fmtp:${pt} profile-level-id=${opts.format.profileLevelId};packetization-mode=1`,
    `a=rtcp-fb:${pt} nack pli`,
    `a=rtcp-fb:${pt} ccm fir`,
    ...(opts.rtcpMux ? ['a=rtcp-mux'] : []),
    `a=${opts.direction}`,
  ];
}

/**
 * What the gateway offers when it calls a video terminal (a dial-out from the
 * console): H.264 mode 1 in the profiles every Chromium decodes — constrained
 * baseline, baseline, main — so whatever the terminal picks can be forwarded
 * to browsers as is. High is not offered: a High-only terminal would reach only
 * receivers that decode it (it still calls in with High when it must).
 */
export const OFFER_H264: readonly H264Format[] = [
  { payloadType: 96, profileLevelId: '42e01f', packetizationMode: 1 },
  { payloadType: 97, profileLevelId: '42001f', packetizationMode: 1 },
  { payloadType: 98, profileLevelId: '4d001f', packetizationMode: 1 },
];

/** The video m-section of our offer: every OFFER_H264 format, our receive bandwidth, key-frame feedback. */
export function buildVideoOffer(opts: { port: number; bandwidthKbps: number }): string[] {
  const lines = [
    `m=video ${opts.port} RTP/AVP ${OFFER_H264.map((f) => f.payloadType).join(' ')}`,
    `b=AS:${opts.bandwidthKbps}`,
    `b=TIAS:${opts.bandwidthKbps * 1000}`,
  ];
  for (const { payloadType: pt, profileLevelId } of OFFER_H264) {
    lines.push(
      `a=rtpmap:${pt} H264/90000`,
      `a=fmtp:${pt} profile-level-id=${profileLevelId};packetization-mode=1`,
      `a=rtcp-fb:${pt} nack pli`,
      `a=rtcp-fb:${pt} ccm fir`,
    );
  }
  lines.push('a=sendrecv');
  return lines;
}

/**
 * The format a terminal's answer to our offer accepted, or null (no video:
 * no m=video, port 0, or only formats we did not offer). RFC 3264 §6.1: the
 * answer keeps our payload type numbers, so a format counts only when its
 * number is one we offered with mode 1; its profile is the terminal's own
 * (level asymmetry), read from the answer's fmtp.
 */
export function chooseAnsweredH264(answer: VideoOffer | null): H264Format | null {
  if (answer === null || answer.port === 0) return null;
  const offered = new Set(OFFER_H264.map((f) => f.payloadType));
  const answered = answer.h264.filter((format) => offered.has(format.payloadType));
  // An answer without fmtp still means the mode we offered for that payload type.
  return chooseH264({ ...answer, h264: answered.map((format) => ({ ...format, packetizationMode: 1 })) });
}
