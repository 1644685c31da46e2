/** Shift instants in the deployment's zone, and who is on duty across midnight. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DUTY_SHIFTS } from './DutyOptions.ts';
import { addDays, daysOfMonth, isCalendarDay, isTimeZone, shiftsAround, zonedDay, zonedInstant } from './dutyClock.ts';

const SHANGHAI = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);
const label = (o: { day: string; shift: { key: string } } | undefined) => o && `${o.day}/${o.shift.key}`;

describe('dutyClock', () => {
  it('turns a Beijing wall clock into the instant, whatever the server zone', () => {
    expect(new Date(zonedInstant('2026-12-07', '08:30', SHANGHAI)).toISOString()).toBe('2026-12-07T00:30:00.000Z');
    expect(new Date(zonedInstant('2026-12-07', '17:30', SHANGHAI)).toISOString()).toBe('2026-12-07T09:30:00.000Z');
    expect(new Date(zonedInstant('2026-12-07', '08:30', 'UTC')).toISOString()).toBe('2026-12-07T08:30:00.000Z');
    // A zone with daylight saving: New York is UTC−4 in July, UTC−5 in December.
    expect(new Date(zonedInstant('2026-07-01', '08:30', 'America/New_York')).toISOString()).toBe(
      '2026-07-01T12:30:00.000Z',
    );
    expect(zonedDay(at('2026-12-06T16:30:00Z'), SHANGHAI)).toBe('2026-12-07');
    expect(zonedDay(at('2026-12-06T15:59:59Z'), SHANGHAI)).toBe('2026-12-06');
  });

  it('is on the day shift at 10:00 Beijing time, next the night shift of the same day', () => {
    const { now, next } = shiftsAround(at('2026-12-07T02:00:00Z'), DEFAULT_DUTY_SHIFTS, SHANGHAI);
    expect(label(now)).toBe('2026-12-07/day');
    expect(label(next)).toBe('2026-12-07/night');
    expect(new Date(next.startsAt).toISOString()).toBe('2026-12-07T09:30:00.000Z');
    expect(new Date(next.endsAt).toISOString()).toBe('2026-12-08T00:30:00.000Z');
  });

  it('keeps last evening’s night shift on duty after midnight, next the day shift of the new day', () => {
    // 02:00 on 8 December in Beijing.
    const { now, next } = shiftsAround(at('2026-12-07T18:00:00Z'), DEFAULT_DUTY_SHIFTS, SHANGHAI);
    expect(label(now)).toBe('2026-12-07/night');
    expect(label(next)).toBe('2026-12-08/day');
  });

  it('crosses a month and a year at midnight, and hands over exactly at the boundary', () => {
    const newYear = shiftsAround(at('2026-12-31T17:00:00Z'), DEFAULT_DUTY_SHIFTS, SHANGHAI);
    expect(label(newYear.now)).toBe('2026-12-31/night');
    expect(label(newYear.next)).toBe('2027-01-01/day');
    const boundary = shiftsAround(at('2026-12-07T09:30:00Z'), DEFAULT_DUTY_SHIFTS, SHANGHAI);
    expect(label(boundary.now)).toBe('2026-12-07/night');
  });

  it('reports a gap between shifts as nobody on duty, with the next shift', () => {
    const shifts = [{ key: 'office', name: '日间', start: '09:00', end: '17:00' }];
    const { now, next } = shiftsAround(at('2026-12-07T12:00:00Z'), shifts, SHANGHAI);
    expect(now).toBeUndefined();
    expect(label(next)).toBe('2026-12-08/office');
  });

  it('counts calendar days and knows real zones', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(isCalendarDay('2026-02-30')).toBe(false);
    expect(isCalendarDay('2026-13-01')).toBe(false);
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(daysOfMonth('2028-02')).toHaveLength(29);
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
