/**
 * room:ready — the client sent its RTP capabilities, so it can now receive:
 * one paused consumer per existing producer of the others, each announced
 * with `consumer:new`. Later producers reach it from producer:create.
 */
import type { Handler } from '../types.ts';

export const roomReady: Handler<'room:ready'> = async (ctx, { rtpCapabilities }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'room:ready');
  const consumers = await room.ready(participant, rtpCapabilities);
  ctx.log.debug({ roomId: room.id, peerId: participant.peerId, consumers }, 'peer ready');
  return { consumers };
};
