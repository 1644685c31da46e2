/** alert:received — a township terminal shows the banner: the board says "delivered". */
import type { Handler } from '../types.ts';

export const alertReceived: Handler<'alert:received'> = async (ctx, { warningId }) => {
  await ctx.command.warnings.received(ctx.session.claims, warningId);
  return {};
};
