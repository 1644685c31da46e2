/**
 * producer:resume — unmute a producer of this peer. Its PeerInfo mute flag follows and
 * others hear `peer:updated`; consumers hear consumer:resumed from the media events.
 */
import type { Handler } from '../types.ts';

export const producerResume: Handler<'producer:resume'> = async (ctx, { producerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry);
  await room.setProducerPaused(participant, producerId, false);
  return {};
};
