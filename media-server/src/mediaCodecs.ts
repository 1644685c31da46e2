import type { types as ms } from 'mediasoup';

/**
 * Codecs of every room's router. Opus with in-band FEC and DTX: township links
 * are lossy and most participants are silent most of the time. VP8: every
 * browser and the township video terminals decode it. G.711 (PCMU, PCMA):
 * desk phones' audio enters through the SIP gateway as is, and browsers
 * decode it, so nothing transcodes on the way in; G.722 and H.264 (SIP video terminals) likewise. Opus stays first: the
 * order is the preference mediasoup-client sends with.
 */
export const MEDIA_CODECS: ms.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48_000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90_000, parameters: { 'x-google-start-bitrate': 1000 } },
  { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 },
  { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000, channels: 1 },
  // G.722: wideband desk phones and video terminals enter as is; browsers decode it (RTP clock 8000, RFC 3551).
  { kind: 'audio', mimeType: 'audio/G722', clockRate: 8000, channels: 1 },
  // H.264: hardware SIP video terminals and GB/T 28181 cameras send it (terminals take it back as is). mediasoup matches H.264 by profile,
  // so each profile a terminal may negotiate has its own entry: constrained baseline, baseline, main, high
  // (Chromium decodes the first three; a high-only producer reaches only receivers that can take it).
  // Browsers still send VP8: mediasoup-client picks the router's first video codec.
  ...['42e01f', '42001f', '4d001f', '640028'].map(
    (profileLevelId): ms.RouterRtpCodecCapability => ({
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90_000,
      parameters: { 'packetization-mode': 1, 'profile-level-id': profileLevelId, 'level-asymmetry-allowed': 1 },
    }),
  ),
];
