/** sip:status — the gateway's report (Kamailio, registrations, calls); staff consoles hear the merged `sip:status`. */
import type { Handler } from '../types.ts';

export const sipStatus: Handler<'sip:status'> = async (ctx, report) => {
  ctx.sip.report(ctx.socket.id, report);
  return {};
};
