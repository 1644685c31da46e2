/**
 * producer:pause — mute a producer of this peer (muted by itself). Its PeerInfo
 * mute flags follow and everyone hears `peer:updated`; consumers hear
 * consumer:paused from the media events.
 */
import type { Handler } from '../types.ts';

export const producerPause: Handler<'producer:pause'> = async (ctx, { producerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'producer:pause');
  await room.setProducerPaused(participant, producerId, true, 'self');
  return {};
};
