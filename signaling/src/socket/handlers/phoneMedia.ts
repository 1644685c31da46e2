/**
 * phone:media — a phone leg's mic: a plain-RTP G.711 or G.722 producer the gateway
 * sends to, taking RTP only from the gateway socket the leg names (`source`;
 * without one, comedia: mediasoup learns the sender from the first packet). It is the participant's `mic` like a browser's, so self-mute,
 * chair mute, mute-all, roll call and speak grants act on it, and ready
 * browsers get a consumer of it. Asking again replaces the previous one (the
 * gateway re-opens media after a drop).
 */
import type { Handler } from '../types.ts';
import { replaceLegProducer } from './legProducer.ts';

/** G.711 and G.722 alike: G.722 samples at 16 kHz but keeps RFC 3551's RTP clock of 8000. */
const PHONE_CLOCK_RATE = 8000;

export const phoneMedia: Handler<'phone:media'> = async (ctx, { codec, ssrc, payloadType, source }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'phone:media');
  const answer = await replaceLegProducer(ctx, room, participant, 'mic', {
    rtpParameters: {
      codecs: [{ mimeType: `audio/${codec}`, payloadType, clockRate: PHONE_CLOCK_RATE, channels: 1 }],
      encodings: [{ ssrc }],
    },
    remote: source,
  });
  ctx.log.debug(
    { roomId: room.id, peerId: participant.peerId, producerId: answer.producerId, codec },
    'phone mic open',
  );
  return answer;
};
