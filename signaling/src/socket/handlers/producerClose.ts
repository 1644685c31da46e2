/**
 * producer:close — stop sending (camera off, screen share ended). mediasoup
 * closes every consumer of it, which the bridge reports as consumer:closed.
 */
import type { Handler } from '../types.ts';

export const producerClose: Handler<'producer:close'> = async (ctx, { producerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'producer:close');
  room.closeProducer(participant, producerId);
  return {};
};
