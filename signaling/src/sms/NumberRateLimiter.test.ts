import { describe, expect, it } from 'vitest';
import { NumberRateLimiter } from './NumberRateLimiter.ts';

describe('per-number rate', () => {
  it('lets a burst through, then one text per 3600/perHour seconds, per number', () => {
    const limiter = new NumberRateLimiter({ perHour: 6, burst: 2 });
    const t0 = 1_000_000;
    expect(limiter.take('13800000001', t0)).toBe(0);
    expect(limiter.take('13800000001', t0)).toBe(0);
    // 6 an hour: the next token in 10 minutes.
    expect(limiter.take('13800000001', t0)).toBe(600_000);
    // Another number has its own bucket.
    expect(limiter.take('13800000002', t0)).toBe(0);
    expect(limiter.take('13800000001', t0 + 300_000)).toBe(300_000);
    expect(limiter.take('13800000001', t0 + 600_000)).toBe(0);
  });
});
