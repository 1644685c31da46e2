import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, waitAfter } from './backoff.ts';
import { MemoryAttemptCounters } from './counters.ts';
import { FailureAudit } from './FailureAudit.ts';
import { SignInThrottle } from './SignInThrottle.ts';

const policy = { ...ACCOUNT_POLICY, lockAfter: 10, lockMs: 600_000 };

describe('back-off', () => {
  it('is free for 5 failures, then doubles from 1 s up to the cap, then locks', () => {
    const waits = Array.from({ length: 11 }, (_, i) => waitAfter(i + 1, { ...policy, maxDelayMs: 8_000 }));
    expect(waits.map((w) => w.waitMs)).toEqual([0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 8_000, 600_000, 600_000]);
    expect(waits.map((w) => w.locked)).toEqual([...Array(9).fill(false), true, true]);
  });
});

function throttleWithClock() {
  let now = 1_000_000;
  const counters = new MemoryAttemptCounters({ now: () => now });
  const throttle = new SignInThrottle({ counters, account: policy });
  return { throttle, advance: (ms: number) => (now += ms) };
}

async function refusal(promise: Promise<unknown>): Promise<BeaconError | null> {
  try {
    await promise;
    return null;
  } catch (err) {
    if (err instanceof BeaconError) return err;
    throw err;
  }
}

describe('SignInThrottle', () => {
  const attempt = { username: 'Zhangsan', address: '10.0.0.7' };

  it('refuses with rate_limited and the wait after the fifth failure, until the wait has passed', async () => {
    const { throttle, advance } = throttleWithClock();
    for (let i = 0; i < 4; i++) await throttle.failed(attempt);
    expect(await refusal(throttle.assertAllowed(attempt))).toBeNull();
    await throttle.failed(attempt);
    const refused = await refusal(throttle.assertAllowed({ ...attempt, username: 'ZHANGSAN' }));
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 });
    advance(1_000);
    expect(await refusal(throttle.assertAllowed(attempt))).toBeNull();
    await throttle.failed(attempt);
    expect(await refusal(throttle.assertAllowed(attempt))).toMatchObject({ retryAfterSeconds: 2 });
  });

  it('locks at lockAfter failures, and the lock expires', async () => {
    const { throttle, advance } = throttleWithClock();
    let locked = false;
    for (let i = 0; i < 10; i++) {
      advance(60_000);
      ({ locked } = await throttle.failed(attempt));
    }
    expect(locked).toBe(true);
    expect(await refusal(throttle.assertAllowed(attempt))).toMatchObject({ retryAfterSeconds: 600 });
    advance(600_000);
    expect(await refusal(throttle.assertAllowed(attempt))).toBeNull();
  });

  it('limits the address across usernames, looser than one account', async () => {
    const { throttle } = throttleWithClock();
    for (let i = 0; i < 20; i++) await throttle.failed({ username: `user${i}`, address: '10.0.0.9' });
    expect(await refusal(throttle.assertAllowed({ username: 'fresh', address: '10.0.0.9' }))).toMatchObject({
      code: 'rate_limited',
    });
    expect(await refusal(throttle.assertAllowed({ username: 'fresh', address: '10.0.0.10' }))).toBeNull();
  });

  it('forgets the account after a success, but not the address', async () => {
    const { throttle, advance } = throttleWithClock();
    for (let i = 0; i < 5; i++) await throttle.failed(attempt);
    advance(1_000);
    await throttle.succeeded(attempt);
    await throttle.failed(attempt);
    expect(await refusal(throttle.assertAllowed(attempt))).toBeNull();
  });
});

describe('FailureAudit', () => {
  it('writes one row per username and address with the count, not one per try', async () => {
    const rows: unknown[] = [];
    const audit = new FailureAudit({ audit: { append: async (entry) => void rows.push(entry) }, windowMs: 60_000 });
    for (let i = 0; i < 50; i++)
      audit.record({ username: 'admin', address: '10.0.0.7', actorId: 'u-admin', reason: 'wrong_password' });
    audit.record({ username: 'nobody', address: '10.0.0.7', actorId: null, reason: 'unknown_user' });
    expect(rows).toHaveLength(0);
    await audit.flush();
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'auth.sign_in_failed',
        actorId: 'u-admin',
        detail: expect.objectContaining({ username: 'admin', count: 50 }),
      }),
      expect.objectContaining({ actorId: null, detail: expect.objectContaining({ username: 'nobody', count: 1 }) }),
    ]);
    await audit.flush();
    expect(rows).toHaveLength(2);
  });
});
