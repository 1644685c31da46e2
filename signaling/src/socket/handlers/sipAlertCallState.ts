/** sip:alertCallState — progress of an alert call; logged (the ack board shows the outcome that matters: the ack). */
import type { Handler } from '../types.ts';

export const sipAlertCallState: Handler<'sip:alertCallState'> = async (ctx, input) => {
  ctx.log.info(input, 'alert call progress');
  return {};
};
