/**
 * producer:create — start sending mic, camera or screen. Others hear
 * `peer:updated` (mute flags) and every ready peer gets a `consumer:new`.
 */
import type { Handler } from '../types.ts';

export const producerCreate: Handler<'producer:create'> = async (ctx, payload) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'producer:create');
  const producerId = await room.produce(participant, payload);
  ctx.log.debug({ roomId: room.id, peerId: participant.peerId, producerId, source: payload.source }, 'producing');
  return { producerId };
};
