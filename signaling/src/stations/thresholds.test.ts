/** Threshold evaluation and the checks a batch of readings passes before anything is stored. */
import { BeaconError, type StationThresholds } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { checkReadings } from './readingValidation.ts';
import { evaluateThresholds } from './thresholds.ts';

const RAIN: StationThresholds = {
  rain: {
    blue: { h1: 20, h3: 30 },
    yellow: { h3: 50, h24: 100 },
    orange: { h3: 80, h6: 100 },
    red: { h1: 80, h24: 250 },
  },
};
const rain = (accumulated: Record<string, number>) =>
  evaluateThresholds({ kind: 'rain', thresholds: RAIN, accumulated, lastValue: null, spread24h: null });

describe('evaluateThresholds', () => {
  it('gives the highest colour any rainfall window reaches, naming the window', () => {
    expect(rain({ h1: 5, h3: 10, h6: 10, h24: 10 })).toEqual({ level: null, cause: null });
    expect(rain({ h1: 21, h3: 21, h6: 21, h24: 21 }).level).toBe('blue');
    expect(rain({ h1: 10, h3: 50, h6: 50, h24: 50 })).toEqual({
      level: 'yellow',
      cause: { measure: 'h3', observed: 50, threshold: 50 },
    });
    // 24 h alone reaches yellow although every short window is quiet: long steady rain.
    expect(rain({ h1: 2, h3: 6, h6: 12, h24: 120 }).level).toBe('yellow');
    expect(rain({ h1: 30, h3: 60, h6: 101, h24: 101 }).cause).toEqual({ measure: 'h6', observed: 101, threshold: 100 });
    expect(rain({ h1: 85, h3: 85, h6: 85, h24: 85 }).level).toBe('red');
  });

  it('compares a water level with the stage of each colour (警戒 and 保证 as yellow and red)', () => {
    const thresholds: StationThresholds = { value: { blue: 1820.5, yellow: 1821, orange: 1821.8, red: 1822.5 } };
    const at = (stage: number) =>
      evaluateThresholds({ kind: 'water_level', thresholds, accumulated: {}, lastValue: stage, spread24h: null }).level;
    expect(at(1820)).toBeNull();
    expect(at(1821)).toBe('yellow');
    expect(at(1822.49)).toBe('orange');
    expect(at(1823)).toBe('red');
  });

  it('judges displacement by how far the station moved within 24 h, not by its total', () => {
    const thresholds: StationThresholds = { value: { yellow: 10, red: 30 } };
    const moved = (spread: number) =>
      evaluateThresholds({ kind: 'displacement', thresholds, accumulated: {}, lastValue: 500, spread24h: spread })
        .level;
    expect(moved(2)).toBeNull();
    expect(moved(12)).toBe('yellow');
    expect(moved(31)).toBe('red');
  });

  it('ignores colours without thresholds', () => {
    expect(
      evaluateThresholds({ kind: 'rain', thresholds: {}, accumulated: { h1: 500 }, lastValue: null, spread24h: null })
        .level,
    ).toBeNull();
  });
});

describe('checkReadings', () => {
  const now = Date.parse('2026-07-10T08:00:00Z');
  const codeAndField = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(BeaconError);
      return [(err as BeaconError).code, (err as BeaconError).field];
    }
    throw new Error('accepted');
  };

  it('accepts ISO times with a zone and epoch milliseconds, in any order, and old ones from a backlog', () => {
    const checked = checkReadings(
      [
        { at: '2026-07-10T15:59:00+08:00', value: 1.5 },
        { at: now - 3 * 3_600_000, value: 0 },
        { at: '2026-07-10T07:55:00Z', value: 2 },
      ],
      now,
    );
    expect(checked.map((r) => [r.atMs, r.value, r.skewed])).toEqual([
      [now - 60_000, 1.5, false],
      [now - 3 * 3_600_000, 0, false],
      [now - 300_000, 2, false],
    ]);
  });

  it('refuses non-numeric values and times without a zone, naming the reading at fault', () => {
    expect(
      codeAndField(() =>
        checkReadings(
          [
            { at: now, value: 1 },
            { at: now, value: '12.5' },
          ],
          now,
        ),
      ),
    ).toEqual(['reading_invalid', 'readings[1].value']);
    expect(codeAndField(() => checkReadings([{ at: now, value: Number.NaN }], now))[0]).toBe('reading_invalid');
    expect(codeAndField(() => checkReadings([{ at: '2026-07-10T08:00:00', value: 1 }], now))).toEqual([
      'reading_invalid',
      'readings[0].at',
    ]);
  });

  it('refuses a time a year ahead, and flags a clock that is off', () => {
    expect(codeAndField(() => checkReadings([{ at: now + 365 * 86_400_000, value: 1 }], now))).toEqual([
      'reading_invalid',
      'readings[0].at',
    ]);
    // Ten minutes ahead: no backlog lies in the future, the station's clock is fast.
    expect(checkReadings([{ at: now + 600_000, value: 1 }], now)[0]?.skewed).toBe(true);
    // A batch sent "an hour ago" by the station's clock: every reading of it is flagged.
    const late = checkReadings([{ at: now - 60_000, value: 1 }], now, {}, now - 3_600_000);
    expect(late[0]?.skewed).toBe(true);
    expect(checkReadings([{ at: now - 60_000, value: 1 }], now, {}, now + 1000)[0]?.skewed).toBe(false);
  });
});
