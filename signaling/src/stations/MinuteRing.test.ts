import { describe, expect, it } from 'vitest';
import { MinuteRing } from './MinuteRing.ts';

const MIN = 60_000;
const T = Date.parse('2026-07-10T08:00:30Z');

describe('MinuteRing', () => {
  it('sums each window over the minutes ending with the newest one, in any arrival order', () => {
    const ring = new MinuteRing();
    // Every 10 minutes for 26 hours, 1 mm each, newest first.
    for (let back = 0; back <= 26 * 60; back += 10) ring.add(T - back * MIN, 1);
    expect(ring.windows(T).accumulated).toEqual({ h1: 6, h3: 18, h6: 36, h24: 144 });
  });

  it('keeps a day: older readings are left out, and a slot is reused for a new minute', () => {
    const ring = new MinuteRing();
    ring.add(T - 25 * 60 * MIN, 100);
    ring.add(T, 2);
    ring.add(T + 24 * 60 * MIN, 3); // the same slot as T, a day later
    ring.add(T - 30 * 60 * MIN, 50); // older than a day before the newest: not counted
    expect(ring.windows(T + 24 * 60 * MIN).accumulated.h24).toBe(3);
  });

  it('gives the spread of values within 24 h (displacement)', () => {
    const ring = new MinuteRing();
    ring.add(T - 20 * 60 * MIN, 410.5);
    ring.add(T - 60 * MIN, 418);
    ring.add(T, 422.25);
    expect(ring.windows(T).spread24h).toBe(11.75);
    expect(new MinuteRing().windows(T)).toEqual({ accumulated: {}, spread24h: null });
  });
});
