import type { BookingView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { daysFrom, fromLocalInput, gridBlocks, localInput, weekStart } from './weekGrid.ts';

const booking = (id: string, start: Date, minutes: number) =>
  ({
    id,
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + minutes * 60_000).toISOString(),
  }) as BookingView;

describe('the week grid', () => {
  it('starts weeks on Monday', () => {
    const sunday = new Date(2030, 2, 10, 15, 0);
    expect(weekStart(sunday)).toEqual(new Date(2030, 2, 4));
    expect(weekStart(new Date(2030, 2, 4, 0, 1))).toEqual(new Date(2030, 2, 4));
  });

  it('places a meeting by its hours on its day, clamping what lies outside the shown hours', () => {
    const days = daysFrom(new Date(2030, 2, 4), 7);
    const blocks = gridBlocks(
      [booking('nine', new Date(2030, 2, 5, 9, 0), 90), booking('early', new Date(2030, 2, 6, 5, 0), 60)],
      days,
    );
    const nine = blocks.find((b) => b.booking.id === 'nine');
    expect(nine?.day).toBe(1);
    // 7:00–22:00 is 15 hours: 9:00 is 2/15 down, 1.5 hours long.
    expect(nine?.top).toBeCloseTo((2 / 15) * 100);
    expect(nine?.height).toBeCloseTo((1.5 / 15) * 100);
    const early = blocks.find((b) => b.booking.id === 'early');
    expect(early).toMatchObject({ day: 2, top: 0 });
    expect(early?.height).toBeGreaterThan(0);
  });

  it('reads and writes datetime-local values in local time', () => {
    const date = new Date(2030, 2, 4, 9, 5);
    expect(localInput(date)).toBe('2030-03-04T09:05');
    expect(fromLocalInput('2030-03-04T09:05')).toBe(date.toISOString());
    expect(fromLocalInput('')).toBeNull();
  });
});
