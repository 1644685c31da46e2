import type { types as ms } from 'mediasoup';

/**
 * Codecs of every room's router. Opus with in-band FEC and DTX: township links
 * are lossy and most participants are silent most of the time. VP8: every
 * browser and the township video terminals decode it. G.711 (PCMU, PCMA):
 * desk phones' audio enters through the SIP gateway as is, and browsers
 * decode it, so nothing transcodes on the way in; G.722 likewise. Opus stays first: the
 * order is the preference mediasoup-client sends with.
 */
export const MEDIA_CODECS: ms.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48_000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90_000, parameters: { 'x-google-start-bitrate': 1000 } },
  { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 },
  { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1 },
  // G.722: wideband desk phones and video terminals enter as is; browsers decode it (RTP clock 8000, RFC 3551).
  { kind: 'audio', mimeType: 'audio/G722', clockRate: 8000, channels: 1 },
  // H.264 (packetization-mode 1) after VP8, so browsers still send VP8: GB/T 28181 cameras' video enters as is.
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90_000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
