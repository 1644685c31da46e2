import { describe, expect, it } from 'vitest';
import { ChatBudget } from './ChatBudget.ts';
import { EventRateLimiter } from './EventRateLimiter.ts';
import { DEFAULT_LIMITS } from './LimitsOptions.ts';
import { TokenBucket } from './TokenBucket.ts';

describe('TokenBucket', () => {
  it('gives a burst, then one token per 1/rate, and says how long to wait', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(50)).toBe(50);
    expect(bucket.take(100)).toBe(0);
    // Idle time refills up to the burst, never beyond.
    expect(bucket.available(10_000)).toBe(3);
  });
});

describe('EventRateLimiter', () => {
  const rates = { ...DEFAULT_LIMITS.rates, chat: { perSecond: 1, burst: 2 }, control: null };

  it('refuses a socket over its class rate with the wait, other classes unaffected', () => {
    let now = 0;
    const limiter = new EventRateLimiter({ rates, userFactor: 2 }, () => now);
    const socket = limiter.open('u1');
    expect(socket.take('chat:send')).toBeNull();
    expect(socket.take('chat:send')).toBeNull();
    expect(socket.take('chat:send')).toEqual({ eventClass: 'chat', retryAfterMs: 1000 });
    expect(socket.take('consumer:resume')).toBeNull();
    // A class rated `off` is never refused.
    for (let i = 0; i < 1000; i += 1) expect(socket.take('moderation:mute')).toBeNull();
    now = 1000;
    expect(socket.take('chat:send')).toBeNull();
  });

  it("shares a user's bucket across its sockets and forgets it with the last socket", () => {
    const limiter = new EventRateLimiter({ rates, userFactor: 2 }, () => 0);
    const a = limiter.open('u1');
    const b = limiter.open('u1');
    const c = limiter.open('u1');
    const other = limiter.open('u2');
    // The user has 2 × 2 chat tokens: a and b spend them, c is refused though its own bucket is full.
    for (const socket of [a, a, b, b]) expect(socket.take('chat:send')).toBeNull();
    expect(c.take('chat:send')).toMatchObject({ eventClass: 'chat' });
    expect(other.take('chat:send')).toBeNull();
    expect(limiter.users).toBe(2);
    for (const socket of [a, b, c, c]) socket.release();
    expect(limiter.users).toBe(1);
    other.release();
    expect(limiter.users).toBe(0);
  });
});

describe('ChatBudget', () => {
  it('refuses a meeting past its bound, counts meetings apart, and forgets the oldest beyond its table', () => {
    const budget = new ChatBudget(2, 2);
    expect([budget.take('m1'), budget.take('m1'), budget.take('m1')]).toEqual([true, true, false]);
    expect(budget.take('m2')).toBe(true);
    expect(budget.take('m3')).toBe(true);
    // m1 was the oldest: forgotten, it starts again.
    expect(budget.take('m1')).toBe(true);
  });
});
