/**
 * Roster days and shift times are wall-clock values in the deployment's time
 * zone; this turns them into instants and finds the shift on duty at an
 * instant. Written on Intl (every Node has the IANA zone data) rather than a
 * date library: Temporal is not in Node 20, and the zone plugins of dayjs or
 * date-fns-tz do this same Intl arithmetic behind a larger API.
 */
import type { DutyShift } from '@beacon/protocol';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for a zone Intl knows (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    partsFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at `instant`, as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The zone's offset from UTC at `instant`, in ms (Asia/Shanghai: +8 h). */
function offsetAt(instant: number, timeZone: string): number {
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return wallClock(whole, timeZone) - whole;
}

/**
 * The instant the zone's clock shows `day` `clock` (`2026-12-07`, `08:30`).
 * Around a daylight-saving jump (none in China) the offset is taken again at
 * the first guess, which gives the later of two readings and skips a gap.
 */
export function zonedInstant(day: string, clock: string, timeZone: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const [hour, minute] = clock.split(':').map(Number) as [number, number];
  const asUtc = Date.UTC(year, month - 1, date, hour, minute);
  const first = asUtc - offsetAt(asUtc, timeZone);
  return asUtc - offsetAt(first, timeZone);
}

/** The calendar day in the zone at `instant`: `2026-12-07`. */
export function zonedDay(instant: number, timeZone: string): string {
  return new Date(wallClock(instant, timeZone)).toISOString().slice(0, 10);
}

/** `2026-12-31` + 1 → `2027-01-01` (calendar arithmetic, no zone involved). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** True for a day the calendar has: `2026-02-30` and `2026-13-01` are not. */
export function isCalendarDay(day: string): boolean {
  const parsed = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === day;
}

/** Every day of a `YYYY-MM` month. */
export function daysOfMonth(month: string): string[] {
  const days: string[] = [];
  for (let day = `${month}-01`; day.startsWith(month); day = addDays(day, 1)) days.push(day);
  return days;
}

/** One occurrence of a shift: the roster slot it fills and its instants. */
export interface ShiftOccurrence {
  day: string;
  shift: DutyShift;
  startsAt: number;
  endsAt: number;
}

/** The shift's occurrence that starts on `day`; an end at or before the start is on the next day. */
export function occurrence(day: string, shift: DutyShift, timeZone: string): ShiftOccurrence {
  const endDay = shift.end <= shift.start ? addDays(day, 1) : day;
  return {
    day,
    shift,
    startsAt: zonedInstant(day, shift.start, timeZone),
    endsAt: zonedInstant(endDay, shift.end, timeZone),
  };
}

/**
 * The shift on duty at `at` (undefined in a gap between shifts) and the next
 * one to start. A night shift that began yesterday evening is still "now"
 * this morning: yesterday's occurrences are looked at too.
 */
export function shiftsAround(
  at: number,
  shifts: readonly DutyShift[],
  timeZone: string,
): { now: ShiftOccurrence | undefined; next: ShiftOccurrence } {
  const today = zonedDay(at, timeZone);
  const occurrences = [-1, 0, 1, 2]
    .flatMap((offset) => shifts.map((shift) => occurrence(addDays(today, offset), shift, timeZone)))
    .sort((a, b) => a.startsAt - b.startsAt);
  const now = occurrences.find((o) => o.startsAt <= at && at < o.endsAt);
  const next = occurrences.find((o) => o.startsAt >= (now ? now.endsAt : at) && o !== now);
  if (!next) throw new Error('no shift starts within two days: the shift configuration is empty');
  return { now, next };
}
