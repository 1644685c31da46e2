/**
 * How an SMS recipient's state may move (the diagram is SMS_STATES' in
 * @beacon/protocol). The store applies each move as one conditional UPDATE
 * whose `state IN (…)` comes from this table, so a delivery report that
 * arrives late, twice, or before Kannel's HTTP answer cannot move a row
 * backwards, and two signaling nodes cannot both apply a move.
 *
 * Events come from outside (Kannel's answers, delivery reports, replies): one
 * that does not fit the current state is ignored, never an error.
 */
import type { SmsState } from '@beacon/protocol';

export type SmsEvent = 'attempt' | 'submitted' | 'delivered' | 'failed' | 'acked';

/** For each event, the states it applies in, and the state it leads to. */
export const SMS_MOVES: Record<SmsEvent, { from: readonly SmsState[]; to: SmsState }> = {
  /** A new attempt (retry, escalation, or the first text): back to the queue. */
  attempt: { from: ['queued', 'submitted', 'delivered', 'failed'], to: 'queued' },
  /** Kannel accepted it. A delivery report that came first is kept (submitted_at is recorded anyway). */
  submitted: { from: ['queued'], to: 'submitted' },
  /** The SMSC reports the phone has it; may arrive before Kannel's HTTP answer is read. */
  delivered: { from: ['queued', 'submitted'], to: 'delivered' },
  /** Kannel refused it, or a part of it was not delivered (an incomplete text is a failed one). */
  failed: { from: ['queued', 'submitted', 'delivered'], to: 'failed' },
  /** A reply of 1 / 收到: final. */
  acked: { from: ['queued', 'submitted', 'delivered', 'failed'], to: 'acked' },
};

/** The state after `event`, or null when the event does not apply in `state` (ignored). */
export function smsMove(state: SmsState, event: SmsEvent): SmsState | null {
  const move = SMS_MOVES[event];
  return move.from.includes(state) ? move.to : null;
}

/** `('queued', 'submitted')` for an event's SQL condition (fixed names: safe to put in SQL). */
export function smsFromList(event: SmsEvent): string {
  return `(${SMS_MOVES[event].from.map((s) => `'${s}'`).join(', ')})`;
}
