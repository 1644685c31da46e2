/**
 * A terminal's meeting notices: the list (by start), which notice the banner
 * shows (the oldest one that still asks for something: a receipt not given,
 * or a change or cancellation not yet seen), and which are to be reported
 * as delivered.
 */
import type { MeetingNotice } from '@beacon/protocol';

/** Replaces the notice of the same booking or adds it; the list stays ordered by start. */
export function upsertNotice(list: MeetingNotice[], notice: MeetingNotice): void {
  const at = list.findIndex((n) => n.bookingId === notice.bookingId);
  if (at >= 0) list.splice(at, 1, notice);
  else list.push(notice);
  list.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

/** Still to be answered: a meeting to come (or running) whose receipt is not confirmed. */
export const awaitsReceipt = (n: MeetingNotice): boolean =>
  (n.state === 'scheduled' || n.state === 'started') && n.receipt.status !== 'confirmed';

/**
 * The banner: a notice that arrived now and asks for attention (a cancellation or a move must be seen even if
 * confirmed before), else the first one awaiting a receipt — unless the user put it off with 稍后.
 */
export function bannerNotice(
  list: readonly MeetingNotice[],
  fresh: ReadonlySet<string>,
  putOff: ReadonlySet<string>,
): MeetingNotice | null {
  const asking = list.filter((n) => !putOff.has(n.bookingId));
  return (
    asking.find((n) => fresh.has(n.bookingId) && (n.state === 'cancelled' || n.reason !== 'new')) ??
    asking.find(awaitsReceipt) ??
    null
  );
}

/** Notices shown but not yet reported as delivered. */
export const undelivered = (list: readonly MeetingNotice[]): string[] =>
  list.filter((n) => n.receipt.status === 'pending' && n.state !== 'cancelled').map((n) => n.bookingId);

/** "张三\n李四, 王五" → ["张三", "李四", "王五"]. */
export const attendeeNames = (text: string): string[] =>
  [...new Set(text.split(/[\n,，、;；]/).map((s) => s.trim()))].filter(Boolean).slice(0, 50);
