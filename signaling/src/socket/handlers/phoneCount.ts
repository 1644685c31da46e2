/** phone:count — how many are in the room, for the phone's `#` command (the gateway's room tap is no participant). */
import type { Handler } from '../types.ts';

export const phoneCount: Handler<'phone:count'> = async (ctx) => {
  const { room } = ctx.session.require(ctx.registry, 'phone:count');
  return { participants: room.size };
};
