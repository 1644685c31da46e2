/** duty:call:decline — an officer declines a call to the duty number (its card goes). */
import type { Handler } from '../types.ts';

export const dutyCallDecline: Handler<'duty:call:decline'> = async (ctx, { callId }) => {
  ctx.command.dutyCalls.decline(ctx.session.claims, callId);
  return {};
};
