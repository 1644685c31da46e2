/** duty:call:answer — an officer takes a call to the duty number; the ack names the room to join. */
import type { Handler } from '../types.ts';

export const dutyCallAnswer: Handler<'duty:call:answer'> = async (ctx, { callId }) =>
  ctx.command.dutyCalls.answer(ctx.session.claims, callId);
