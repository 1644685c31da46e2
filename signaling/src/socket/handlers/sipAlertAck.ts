/** sip:alertAck — a phone that took an alert call pressed 1: stored (channel phone) before the answer. */
import type { Handler } from '../types.ts';

export const sipAlertAck: Handler<'sip:alertAck'> = async (ctx, input) => ctx.command.alertCalls.ack(input);
