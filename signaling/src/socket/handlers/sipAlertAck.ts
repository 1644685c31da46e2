/**
 * sip:alertAck — a phone that took an alert call pressed 1: stored (channel phone) before the answer. A meeting
 * notice's call (id `meeting:<bookingId>`) confirms that meeting's receipt instead (meetings/NoticeCalls.ts).
 */
import { isMeetingCall } from '../../meetings/NoticeCalls.ts';
import type { Handler } from '../types.ts';

export const sipAlertAck: Handler<'sip:alertAck'> = async (ctx, input) =>
  isMeetingCall(input.warningId) ? ctx.command.noticeCalls.ack(input) : ctx.command.alertCalls.ack(input);
