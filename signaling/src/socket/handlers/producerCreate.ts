/**
 * producer:create — start sending mic, camera or screen. Others hear
 * `peer:updated` (mute flags) and every ready peer gets a `consumer:new`.
 *
 * One producer per source: a second camera is refused (`conflict`, field
 * `source`) rather than replacing the first. Each producer costs a consumer
 * in every other peer; replacing would let a client churn those consumers as
 * fast as it sends, and would silently cut a stream the chair may be showing.
 * A client that switches devices replaces the track on its producer (or
 * closes it and creates another). The socket's queue runs its events one
 * after another, so two creates of one source cannot race past this check.
 */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

export const producerCreate: Handler<'producer:create'> = async (ctx, payload) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'producer:create');
  if (participant.producerOf(payload.source)) {
    throw BeaconError.conflict('source', `already sending a ${payload.source}: close it first`);
  }
  const producerId = await room.produce(participant, payload);
  ctx.log.debug({ roomId: room.id, peerId: participant.peerId, producerId, source: payload.source }, 'producing');
  return { producerId };
};
