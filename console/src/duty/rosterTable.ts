/**
 * The roster page's table: one row per day of the month, one cell per shift,
 * from the month's filled slots. Kept apart from the page so it is tested
 * without a browser.
 */
import type { DutyShift, RosterEntryView } from '@beacon/protocol';

export interface RosterRow {
  day: string;
  /** Shift key → the slot, or null when nobody is rostered. */
  slots: Record<string, RosterEntryView | null>;
}

/** Every day of a `YYYY-MM` month (calendar arithmetic in UTC: no zone involved). */
export function daysOf(month: string): string[] {
  const days: string[] = [];
  const date = new Date(`${month}-01T00:00:00Z`);
  while (date.toISOString().startsWith(month)) {
    days.push(date.toISOString().slice(0, 10));
    date.setUTCDate(date.getUTCDate() + 1);
  }
  return days;
}

export function rosterRows(
  month: string,
  shifts: readonly DutyShift[],
  entries: readonly RosterEntryView[],
): RosterRow[] {
  const byKey = new Map(entries.map((e) => [`${e.day}/${e.shift}`, e]));
  return daysOf(month).map((day) => ({
    day,
    slots: Object.fromEntries(shifts.map((s) => [s.key, byKey.get(`${day}/${s.key}`) ?? null])),
  }));
}

/** `2026-12` ± n months. */
export function shiftMonth(month: string, by: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const date = new Date(Date.UTC(year, m - 1 + by, 1));
  return date.toISOString().slice(0, 7);
}

/** Who may edit the roster (the server checks too): admins and duty officers. */
export function canEditRoster(role: string | undefined): boolean {
  return role === 'admin' || role === 'duty_officer';
}
