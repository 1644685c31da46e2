import { describe, expect, it } from 'vitest';
import { fdsBackToBaseline, memoryVerdict } from './verdict.ts';

const series = (values: number[]): [number, number][] => values.map((v, i) => [i * 30, v]);

describe('soak verdict', () => {
  it('calls a series flat when the last third stays within the tolerance of the middle third', () => {
    // Warm-up growth in the first third does not count.
    const verdict = memoryVerdict(series([50, 80, 100, 104, 98, 102, 101, 99, 103]));
    expect(verdict).toMatchObject({ middleMean: 101.3, lastMean: 101, flat: true });
    expect(memoryVerdict(series([100, 100, 100, 100, 100, 100, 90, 90, 90])).flat).toBe(true);
  });

  it('calls a steady climb a leak and reports its slope per hour', () => {
    const leak = memoryVerdict(series([100, 110, 120, 130, 140, 150, 160, 170, 180]));
    expect(leak.flat).toBe(false);
    expect(leak.growth).toBe(0.214);
    // 10 units per 30 s sample.
    expect(leak.slopePerHour).toBe(1200);
    expect(() => memoryVerdict(series([1, 2]))).toThrow(RangeError);
  });

  it('wants descriptors back at the baseline after everyone left', () => {
    expect(fdsBackToBaseline(40, 41)).toBe(true);
    expect(fdsBackToBaseline(40, 38)).toBe(true);
    expect(fdsBackToBaseline(40, 45)).toBe(false);
  });
});
