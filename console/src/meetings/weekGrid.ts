/**
 * The calendar's own week (and day) grid: Element Plus's el-calendar shows a
 * month of day cells with no hours, and a secretary books by the hour, so the
 * grid is ours — days as columns, hours as rows, each booking a block placed
 * by its start and length in the browser's time zone.
 */
import type { BookingView } from '@beacon/protocol';

/** The hours the grid shows; a meeting outside them is clamped to the edge (still listed, still clickable). */
export const FIRST_HOUR = 7;
export const LAST_HOUR = 22;
const DAY_MS = 24 * 60 * 60_000;

/** Local midnight of the Monday of `date`'s week. */
export function weekStart(date: Date): Date {
  const day = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const sinceMonday = (day.getDay() + 6) % 7;
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - sinceMonday);
}

/** Local midnight of `date`. */
export const dayStart = (date: Date): Date => new Date(date.getFullYear(), date.getMonth(), date.getDate());

/** `count` local midnights from `start`. */
export function daysFrom(start: Date, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(start.getFullYear(), start.getMonth(), start.getDate() + i));
}

export interface GridBlock {
  booking: BookingView;
  day: number;
  /** From the grid's top, in percent of the shown hours. */
  top: number;
  height: number;
}

/** The blocks of `bookings` on `days` (a booking over midnight shows on each day it touches). */
export function gridBlocks(bookings: readonly BookingView[], days: readonly Date[]): GridBlock[] {
  const span = (LAST_HOUR - FIRST_HOUR) * 60 * 60_000;
  const blocks: GridBlock[] = [];
  for (const [index, day] of days.entries()) {
    const from = day.getTime() + FIRST_HOUR * 60 * 60_000;
    const dayEnd = day.getTime() + DAY_MS;
    for (const booking of bookings) {
      const start = Date.parse(booking.startsAt);
      const end = Date.parse(booking.endsAt);
      if (!(start < dayEnd && end > day.getTime())) continue;
      const top = Math.min(Math.max(start - from, 0), span - 15 * 60_000);
      const bottom = Math.min(Math.max(end - from, top + 15 * 60_000), span);
      blocks.push({ booking, day: index, top: (top / span) * 100, height: ((bottom - top) / span) * 100 });
    }
  }
  return blocks;
}

/** `2030-03-04T09:00` in local time, what <input type="datetime-local"> reads and writes. */
export function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The ISO instant of a datetime-local value (read in the browser's zone); null when empty or malformed. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
