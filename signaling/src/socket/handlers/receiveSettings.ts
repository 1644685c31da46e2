/**
 * receive:settings — weak link: audio only (every video consumer paused, new
 * ones stay paused) and a cap on the spatial layer of every video, present
 * and future.
 */
import type { Handler } from '../types.ts';

export const receiveSettings: Handler<'receive:settings'> = async (ctx, settings) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'receive:settings');
  await room.receive.setSettings(participant, settings);
  ctx.log.debug({ roomId: room.id, peerId: participant.peerId, ...settings }, 'receive settings');
  return {};
};
