/**
 * sip:status — the gateway's report (Kamailio, registrations, calls); staff consoles hear
 * the merged `sip:status`, and its running totals (call outcomes, mixer ticks) feed /metrics.
 */
import type { Handler } from '../types.ts';

export const sipStatus: Handler<'sip:status'> = async (ctx, { counters, ...report }) => {
  if (counters) ctx.metrics.gateway.report(counters);
  ctx.sip.report(ctx.socket.id, report);
  return {};
};
