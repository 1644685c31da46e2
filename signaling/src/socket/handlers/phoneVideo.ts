/**
 * phone:video — a SIP video terminal's camera: a plain-RTP H.264 producer
 * (packetization-mode 1, the profile the terminal negotiated) the gateway
 * sends to, taking RTP only from the gateway socket the leg names. It is the
 * participant's `camera` like a browser's, so the chair's stop-video and the
 * main view act on it, and ready browsers get a consumer of it (Chromium
 * decodes H.264 itself: nothing transcodes on the way in). Asking again
 * replaces the previous one.
 */
import type { Handler } from '../types.ts';
import { replaceLegProducer } from './legProducer.ts';

const VIDEO_CLOCK_RATE = 90_000;

export const phoneVideo: Handler<'phone:video'> = async (
  ctx,
  { ssrc, payloadType, profileLevelId, source, maxKbps },
) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'phone:video');
  const answer = await replaceLegProducer(ctx, room, participant, 'camera', {
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/H264',
          payloadType,
          clockRate: VIDEO_CLOCK_RATE,
          parameters: { 'packetization-mode': 1, 'profile-level-id': profileLevelId.toLowerCase() },
          // The gateway relays the terminal's own key-frame requests and answers ours (PLI, FIR).
          rtcpFeedback: [
            { type: 'nack', parameter: 'pli' },
            { type: 'ccm', parameter: 'fir' },
          ],
        },
      ],
      encodings: [{ ssrc }],
    },
    remote: source,
    // What the terminal was allowed to send: another terminal's main view is forwarded only when this fits its b=.
    ...(maxKbps === undefined ? {} : { layerKbps: [maxKbps] }),
  });
  ctx.log.debug(
    { roomId: room.id, peerId: participant.peerId, producerId: answer.producerId, profileLevelId },
    'terminal camera open',
  );
  return answer;
};
