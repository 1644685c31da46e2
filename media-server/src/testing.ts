/**
 * Helpers for tests and the bench (`@beacon/media-server/testing`): ffmpeg
 * VP8 and Opus senders and an RTP header parser. Not for production code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePortBlock, TEST_PLAIN_PORTS } from '@beacon/common/test-ports';
import type { types as ms } from 'mediasoup';
import type { MediaServerOptionsInput } from './MediaServerOptions.ts';

export { freePortBlock, TEST_PLAIN_PORTS, TEST_PORT_BLOCKS } from '@beacon/common/test-ports';

/** Loopback options for a test or bench: WebRtcServer ports from `freePortBlock`, the shared plain range. */
export async function loopbackOptions(numWorkers = 1): Promise<MediaServerOptionsInput & { rtcPortBase: number }> {
  return {
    numWorkers,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    rtcPortBase: await freePortBlock(numWorkers),
    plainPortRange: { ...TEST_PLAIN_PORTS },
  };
}

export const FFMPEG_VP8_PAYLOAD_TYPE = 101;
export const FFMPEG_VP8_SSRC = 1111;

/** What `spawnFfmpegVp8` sends, as a PlainTransport producer must declare it. */
export const FFMPEG_VP8_RTP_PARAMETERS: ms.RtpParameters = {
  codecs: [{ mimeType: 'video/VP8', clockRate: 90_000, payloadType: FFMPEG_VP8_PAYLOAD_TYPE, rtcpFeedback: [] }],
  encodings: [{ ssrc: FFMPEG_VP8_SSRC }],
};

export interface Vp8SenderOptions {
  /** Test pattern size (default '320x240'). */
  size?: string;
  /** Frames per second (default 15). */
  rate?: number;
  /** Target bitrate, ffmpeg syntax (default '300k'). */
  bitrate?: string;
  /**
   * Frames between key frames (default: one second's worth). ffmpeg ignores
   * the PLIs mediasoup forwards, so a consumer that starts late (a recording
   * segment) waits for the next periodic key frame.
   */
  keyFrameInterval?: number;
}

/** A VP8 test pattern as RTP in real time to ip:port, RTCP to ip:rtcpPort. */
export function spawnFfmpegVp8(
  ip: string,
  port: number,
  rtcpPort: number,
  options: Vp8SenderOptions = {},
): ChildProcess {
  const { size = '320x240', rate = 15, bitrate = '300k', keyFrameInterval = rate } = options;
  // biome-ignore format: one ffmpeg option per line pair reads better
  const encode = [
    '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}`,
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', bitrate, '-g', String(keyFrameInterval),
  ];
  return spawnFfmpegRtp(encode, FFMPEG_VP8_PAYLOAD_TYPE, FFMPEG_VP8_SSRC, { ip, port, rtcpPort });
}

export const FFMPEG_OPUS_PAYLOAD_TYPE = 100;
export const FFMPEG_OPUS_SSRC = 2222;

/** What `spawnFfmpegOpus` sends, as a PlainTransport producer must declare it. */
export const FFMPEG_OPUS_RTP_PARAMETERS: ms.RtpParameters = {
  codecs: [
    { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: FFMPEG_OPUS_PAYLOAD_TYPE, rtcpFeedback: [] },
  ],
  encodings: [{ ssrc: FFMPEG_OPUS_SSRC }],
};

/** A sine tone (default 440 Hz) as Opus RTP in real time to ip:port, RTCP to ip:rtcpPort. */
export function spawnFfmpegOpus(ip: string, port: number, rtcpPort: number, frequency = 440): ChildProcess {
  // biome-ignore format: one ffmpeg option per line pair reads better
  const encode = [
    '-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=48000`,
    '-c:a', 'libopus', '-b:a', '48k', '-ac', '2',
  ];
  return spawnFfmpegRtp(encode, FFMPEG_OPUS_PAYLOAD_TYPE, FFMPEG_OPUS_SSRC, { ip, port, rtcpPort });
}

/** ffmpeg reading `encode` (input and codec options) in real time and sending it as RTP. */
function spawnFfmpegRtp(
  encode: string[],
  payloadType: number,
  ssrc: number,
  to: { ip: string; port: number; rtcpPort: number },
): ChildProcess {
  // biome-ignore format: one ffmpeg option per line pair reads better
  const args = [
    '-nostdin', '-loglevel', 'error', '-re', ...encode,
    '-payload_type', String(payloadType), '-ssrc', String(ssrc),
    '-sdp_file', '/dev/null', '-f', 'rtp', `rtp://${to.ip}:${to.port}?rtcpport=${to.rtcpPort}&pkt_size=1200`,
  ];
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** SIGTERM, then SIGKILL if ffmpeg does not exit within a second. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
  await exited;
  clearTimeout(timer);
}

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** Parses an RTP packet (RFC 3550); null for RTCP (muxed, RFC 5761) and garbage. */
export function parseRtp(packet: Buffer): RtpPacket | null {
  const first = packet[0] ?? 0;
  const second = packet[1] ?? 0;
  if (packet.length < 12 || first >> 6 !== 2 || (second >= 192 && second <= 223)) return null;
  let offset = 12 + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (first & 0x20) end -= packet[end - 1] ?? 0;
  if (offset > end) return null;
  return {
    payloadType: second & 0x7f,
    marker: (second & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, end),
  };
}

export interface Vp8Descriptor {
  /** Start of a VP8 partition. */
  start: boolean;
  partitionId: number;
  pictureId?: number;
  /** Offset of the VP8 payload (after the descriptor). */
  headerLength: number;
  /** The packet starts a key frame (start code 9d 01 2a after the frame tag). */
  keyFrame: boolean;
}

/** Parses the VP8 payload descriptor (RFC 7741 §4.2); null when it is malformed. */
export function parseVp8Descriptor(payload: Buffer): Vp8Descriptor | null {
  const first = payload[0];
  if (first === undefined) return null;
  let offset = 1;
  let pictureId: number | undefined;
  if (first & 0x80) {
    const ext = payload[offset++] ?? 0;
    if (ext & 0x80) {
      const high = payload[offset++] ?? 0;
      pictureId = high & 0x80 ? ((high & 0x7f) << 8) | (payload[offset++] ?? 0) : high;
    }
    if (ext & 0x40) offset++;
    if (ext & 0x30) offset++;
  }
  if (offset >= payload.length) return null;
  const start = (first & 0x10) !== 0;
  const partitionId = first & 0x07;
  const frame = payload.subarray(offset);
  const keyFrame =
    start &&
    partitionId === 0 &&
    ((frame[0] ?? 1) & 0x01) === 0 &&
    frame.subarray(3, 6).equals(Buffer.from([0x9d, 0x01, 0x2a]));
  return { start, partitionId, pictureId, headerLength: offset, keyFrame };
}
