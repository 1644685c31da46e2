/**
 * consumer:setLayers — the simulcast layer a tile's size needs (small tile:
 * low layer, spotlight: high), capped by the receiver's `maxSpatialLayer`.
 */
import type { Handler } from '../types.ts';

export const consumerSetLayers: Handler<'consumer:setLayers'> = async (ctx, payload) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'consumer:setLayers');
  await room.receive.setLayers(participant, payload.consumerId, payload.spatialLayer, payload.temporalLayer);
  return {};
};
