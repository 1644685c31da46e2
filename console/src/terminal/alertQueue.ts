/**
 * The terminal's queue of early warnings (预警). Banners show one at a time,
 * oldest first; a re-notification (escalation) of a queued warning updates it
 * in place instead of queueing it twice. Pure functions over a plain array so
 * the page can keep the array reactive and tests need no DOM.
 *
 *   shown ──(签收)──► acking ──(ok)──► acked ──(after a moment)──► removed
 *                        └──(error)──► failed ──(签收 again)──► acking
 */
import type { AlertForTerminal } from '@beacon/protocol';
import type { ClientErrorCode } from '../errors.ts';

export type AlertPhase = 'shown' | 'acking' | 'failed' | 'acked';

export interface QueuedAlert {
  alert: AlertForTerminal;
  phase: AlertPhase;
  error: ClientErrorCode | null;
  /** `alert:received` was sent for this banner (once per warning and notification). */
  reported: boolean;
}

/** Adds or refreshes a warning; 'updated' when it was already queued. */
export function enqueueAlert(queue: QueuedAlert[], alert: AlertForTerminal): 'added' | 'updated' {
  const queued = queue.find((q) => q.alert.warningId === alert.warningId);
  if (!queued) {
    queue.push({ alert, phase: 'shown', error: null, reported: false });
    return 'added';
  }
  queued.alert = alert;
  // A re-notification is a new delivery: report it again. An ack in flight or done stays as it is.
  queued.reported = false;
  if (queued.phase === 'failed') {
    queued.phase = 'shown';
    queued.error = null;
  }
  return 'updated';
}

/** The banner on screen. */
export function currentAlert(queue: readonly QueuedAlert[]): QueuedAlert | undefined {
  return queue[0];
}

export function findAlert(queue: readonly QueuedAlert[], warningId: string): QueuedAlert | undefined {
  return queue.find((q) => q.alert.warningId === warningId);
}

export function removeAlert(queue: QueuedAlert[], warningId: string): void {
  const index = queue.findIndex((q) => q.alert.warningId === warningId);
  if (index >= 0) queue.splice(index, 1);
}

/** The alarm sounds while any warning is not yet acknowledged. */
export function needsAlarm(queue: readonly QueuedAlert[]): boolean {
  return queue.some((q) => q.phase !== 'acked');
}
