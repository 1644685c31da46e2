/** consumer:pause — the tile is hidden (another page, minimised): stop forwarding until consumer:resume. */
import type { Handler } from '../types.ts';

export const consumerPause: Handler<'consumer:pause'> = async (ctx, { consumerId }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'consumer:pause');
  await room.receive.pause(participant, consumerId);
  return {};
};
