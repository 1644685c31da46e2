/**
 * producer:pause — mute a producer of this peer. Its PeerInfo mute flag follows and
 * others hear `peer:updated`; consumers hear consumer:paused from the media events.
 */
import type { Handler } from '../types.ts';

export const producerPause: Handler<'producer:pause'> = async (ctx, { producerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry);
  await room.setProducerPaused(participant, producerId, true);
  return {};
};
