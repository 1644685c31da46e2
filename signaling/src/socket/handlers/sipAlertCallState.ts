/** sip:alertCallState — progress of an alert call: logged, and kept on the ack board line (its phone column). */
import type { Handler } from '../types.ts';

export const sipAlertCallState: Handler<'sip:alertCallState'> = async (ctx, input) => {
  ctx.log.info(input, 'alert call progress');
  await ctx.command.alertCalls.progress(input);
  return {};
};
