/** sip:untap — the gateway no longer needs the room's audio (its last phone left). Untapping twice is fine. */
import type { Handler } from '../types.ts';

export const sipUntap: Handler<'sip:untap'> = async (ctx, { roomId }) => {
  ctx.taps.untap(ctx.socket.id, roomId);
  return {};
};
