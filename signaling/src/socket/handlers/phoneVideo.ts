/**
 * phone:video — a SIP video terminal's camera: a plain-RTP H.264 producer
 * (packetization-mode 1, the profile the terminal negotiated) the gateway
 * sends to, taking RTP only from the gateway socket the leg names. It is the
 * participant's `camera` like a browser's, so the chair's stop-video and the
 * main view act on it, and ready browsers get a consumer of it (Chromium
 * decodes H.264 itself: nothing transcodes on the way in). Asking again
 * replaces the previous one.
 */
import type { ProducerInfo } from '@beacon/media-server';
import { clientInput } from '../../rooms/clientInput.ts';
import type { Handler } from '../types.ts';

const VIDEO_CLOCK_RATE = 90_000;

export const phoneVideo: Handler<'phone:video'> = async (ctx, { ssrc, payloadType, profileLevelId, source }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'phone:video');
  room.control.assertMaySend(participant);
  const previous = participant.producerOf('camera');
  if (previous) room.closeProducer(participant, previous.id);
  const appData = { source: 'camera', peerId: participant.peerId };
  const plain = await clientInput(
    ctx.media.createPlainProducer(room.id, participant.peerId, {
      kind: 'video',
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
      appData,
      remote: source,
    }),
  );
  const producer: ProducerInfo = {
    id: plain.producerId,
    peerId: participant.peerId,
    kind: 'video',
    paused: false,
    appData,
  };
  // Shown as a video terminal (console icon and label, video tile) from now on; adoptProducer sends the update.
  if (participant.phone) participant.phone.video = true;
  await room.adoptProducer(participant, producer, 'camera');
  ctx.log.debug(
    { roomId: room.id, peerId: participant.peerId, producerId: plain.producerId, profileLevelId },
    'terminal camera open',
  );
  return { producerId: plain.producerId, ip: plain.ip, port: plain.port, rtcpPort: plain.rtcpPort };
};
