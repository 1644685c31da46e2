/**
 * producer:resume — unmute a producer of this peer. Allowed after a chair mute
 * too (people must be able to answer); it clears "muted by the chair".
 */
import type { Handler } from '../types.ts';

export const producerResume: Handler<'producer:resume'> = async (ctx, { producerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'producer:resume');
  await room.setProducerPaused(participant, producerId, false);
  return {};
};
