/** The rules of a booking without a store: its time, weekly occurrences, conflicts, reminders due. */
import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { checkTimes, conflictsOf, MAX_OCCURRENCES, occurrences, remindersDue } from './bookingRules.ts';

const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(BeaconError);
    expect((err as BeaconError).code).toBe('booking_invalid');
    return (err as BeaconError).field;
  }
  throw new Error('did not throw');
};
const NOW = new Date('2030-03-04T00:00:00.000Z');

describe('booking rules', () => {
  it('refuses a meeting that ends before it starts, lasts over a day or starts in the past', () => {
    expect(fieldOf(() => checkTimes('2030-03-04T02:00:00Z', '2030-03-04T01:00:00Z', NOW))).toBe('endsAt');
    expect(fieldOf(() => checkTimes('2030-03-04T02:00:00Z', '2030-03-04T02:00:00Z', NOW))).toBe('endsAt');
    expect(fieldOf(() => checkTimes('2030-03-04T02:00:00Z', '2030-03-05T02:00:01Z', NOW))).toBe('endsAt');
    expect(fieldOf(() => checkTimes('2030-03-03T23:00:00Z', '2030-03-04T01:00:00Z', NOW))).toBe('startsAt');
    expect(() => checkTimes('2030-03-04T02:00:00Z', '2030-03-04T03:00:00Z', NOW)).not.toThrow();
  });

  it('repeats weekly up to and including the end date, read in the offices’ time zone', () => {
    // Monday 9:00 in Chuxiong is 01:00 UTC; the last Monday is 2030-03-25.
    const list = occurrences('2030-03-04T01:00:00Z', '2030-03-04T02:30:00Z', { every: 'week', until: '2030-03-25' });
    expect(list).toEqual([
      { startsAt: '2030-03-04T01:00:00.000Z', endsAt: '2030-03-04T02:30:00.000Z' },
      { startsAt: '2030-03-11T01:00:00.000Z', endsAt: '2030-03-11T02:30:00.000Z' },
      { startsAt: '2030-03-18T01:00:00.000Z', endsAt: '2030-03-18T02:30:00.000Z' },
      { startsAt: '2030-03-25T01:00:00.000Z', endsAt: '2030-03-25T02:30:00.000Z' },
    ]);
    // 23:30 UTC on the 24th is already the 25th in UTC+8: inside the end date.
    expect(
      occurrences('2030-03-03T23:30:00Z', '2030-03-04T00:30:00Z', { every: 'week', until: '2030-03-25' }),
    ).toHaveLength(4);
    expect(occurrences('2030-03-04T01:00:00Z', '2030-03-04T02:00:00Z', null)).toHaveLength(1);
  });

  it('refuses a repeat that ends before it starts or runs on for years', () => {
    expect(
      fieldOf(() =>
        occurrences('2030-03-04T01:00:00Z', '2030-03-04T02:00:00Z', { every: 'week', until: '2030-03-01' }),
      ),
    ).toBe('repeat.until');
    expect(MAX_OCCURRENCES).toBe(104);
    expect(
      fieldOf(() =>
        occurrences('2030-03-04T01:00:00Z', '2030-03-04T02:00:00Z', { every: 'week', until: '2033-01-01' }),
      ),
    ).toBe('repeat.until');
  });

  it('finds overlaps in the same room or with the same chair, not back-to-back meetings', () => {
    const slot = { startsAt: '2030-03-04T01:00:00Z', endsAt: '2030-03-04T02:00:00Z', roomId: 'r1', chairId: 'c1' };
    const other = (id: string, startsAt: string, endsAt: string, roomId: string, chairId: string) => ({
      id,
      title: id,
      startsAt,
      endsAt,
      roomId,
      chairId,
    });
    const conflicts = conflictsOf(slot, [
      other('same-room', '2030-03-04T01:30:00Z', '2030-03-04T03:00:00Z', 'r1', 'c2'),
      other('same-chair', '2030-03-04T00:30:00Z', '2030-03-04T01:01:00Z', 'r2', 'c1'),
      other('after', '2030-03-04T02:00:00Z', '2030-03-04T03:00:00Z', 'r1', 'c1'),
      other('elsewhere', '2030-03-04T01:00:00Z', '2030-03-04T02:00:00Z', 'r2', 'c2'),
    ]);
    expect(conflicts.map((c) => [c.reason, c.bookingId])).toEqual([
      ['room_busy', 'same-room'],
      ['chair_busy', 'same-chair'],
    ]);
  });

  it('counts the reminders due by now', () => {
    const start = '2030-03-04T01:00:00Z';
    expect(remindersDue(start, [1440, 15], new Date('2030-03-02T01:00:00Z'))).toBe(0);
    expect(remindersDue(start, [1440, 15], new Date('2030-03-03T01:00:00Z'))).toBe(1);
    expect(remindersDue(start, [1440, 15], new Date('2030-03-04T00:50:00Z'))).toBe(2);
  });
});
