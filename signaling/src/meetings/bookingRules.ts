/**
 * The rules of a booking that need no store: its time, the occurrences of a
 * weekly meeting (例会), and which other bookings it collides with.
 */
import { BeaconError, type BookingConflict } from '@beacon/protocol';

/** A weekly meeting is stored one row per occurrence; more than two years of them is a typo. */
export const MAX_OCCURRENCES = 104;
/** The longest meeting accepted (a whole-day training is long; a week-long "meeting" is a wrong date). */
export const MAX_DURATION_MS = 24 * 60 * 60_000;
/** How far back a start may be: a booking entered a minute late still starts at once. */
const PAST_SLACK_MS = 5 * 60_000;
const WEEK_MS = 7 * 24 * 60 * 60_000;

export function bookingInvalid(field: string, message: string): BeaconError {
  const err = new BeaconError('booking_invalid', message);
  err.field = field;
  return err;
}

/** Checks a booking's time: it ends after it starts, lasts at most a day, and does not start in the past. */
export function checkTimes(startsAt: string, endsAt: string, now: Date): void {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  if (!(end > start))
    throw bookingInvalid('endsAt', '会议结束时间须晚于开始时间 / the meeting must end after it starts');
  if (end - start > MAX_DURATION_MS) throw bookingInvalid('endsAt', '会议不能超过 24 小时 / at most 24 hours');
  if (start < now.getTime() - PAST_SLACK_MS) {
    throw bookingInvalid('startsAt', '开始时间已过 / the start is in the past');
  }
}

/**
 * The occurrences of a booking: itself, and with a weekly repeat the same weekday and time each week up to
 * `until` (a date, inclusive, read in UTC+8 — the offices' day) — never more than MAX_OCCURRENCES.
 */
export function occurrences(
  startsAt: string,
  endsAt: string,
  repeat: { every: 'week'; until: string } | null,
): { startsAt: string; endsAt: string }[] {
  const start = Date.parse(startsAt);
  const length = Date.parse(endsAt) - start;
  if (!repeat) return [{ startsAt: new Date(start).toISOString(), endsAt: new Date(start + length).toISOString() }];
  // The end of `until` in China Standard Time (no daylight saving): the last day the office means.
  const last = Date.parse(`${repeat.until}T23:59:59.999+08:00`);
  if (Number.isNaN(last) || last < start) {
    throw bookingInvalid(
      'repeat.until',
      '重复截止日期须不早于首次会议 / the repeat must end on or after the first meeting',
    );
  }
  const list: { startsAt: string; endsAt: string }[] = [];
  for (let at = start; at <= last; at += WEEK_MS) {
    if (list.length === MAX_OCCURRENCES) {
      throw bookingInvalid('repeat.until', `最多重复 ${MAX_OCCURRENCES} 次 / at most ${MAX_OCCURRENCES} occurrences`);
    }
    list.push({ startsAt: new Date(at).toISOString(), endsAt: new Date(at + length).toISOString() });
  }
  return list;
}

interface Slot {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  roomId: string;
  chairId: string;
}

/** Other bookings in the same room or with the same chair that overlap `slot` (warned, never refused). */
export function conflictsOf(slot: Omit<Slot, 'id' | 'title'> & { id?: string }, others: readonly Slot[]) {
  const conflicts: BookingConflict[] = [];
  const start = Date.parse(slot.startsAt);
  const end = Date.parse(slot.endsAt);
  for (const other of others) {
    if (other.id === slot.id) continue;
    if (!(Date.parse(other.startsAt) < end && Date.parse(other.endsAt) > start)) continue;
    const base = { bookingId: other.id, title: other.title, startsAt: other.startsAt, endsAt: other.endsAt };
    if (other.roomId === slot.roomId) conflicts.push({ reason: 'room_busy', ...base });
    if (other.chairId === slot.chairId) conflicts.push({ reason: 'chair_busy', ...base });
  }
  return conflicts;
}

/**
 * How many of `reminders` (minutes before the start, largest first) are due by `now`. The scheduler sends one
 * reminder when this grows past those sent, and a booking made (or moved) late starts with the passed ones
 * counted as sent: its notice just went out.
 */
export function remindersDue(startsAt: string, reminders: readonly number[], now: Date): number {
  const start = Date.parse(startsAt);
  return reminders.filter((minutes) => now.getTime() >= start - minutes * 60_000).length;
}
