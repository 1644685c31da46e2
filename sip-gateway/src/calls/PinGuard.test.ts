import { describe, expect, it } from 'vitest';
import { PinGuard } from './PinGuard.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('PinGuard', () => {
  it('locks a caller out after 5 wrong PINs in 15 minutes, for 1 minute, then 2, 4… up to an hour', () => {
    const c = clock();
    const guard = new PinGuard({ now: c.now });
    for (let i = 0; i < 4; i++) expect(guard.fail('6001', '8001')).toEqual([]);
    expect(guard.locked('6001', '8001')).toBeNull();
    const [lock] = guard.fail('6001', '8001');
    expect(lock).toMatchObject({ scope: 'caller', key: '8001', failures: 5, lockedForMs: 60_000 });
    // Locked for every number, not just the one guessed; other callers still get in.
    expect(guard.locked('6002', '8001')).toMatchObject({ scope: 'caller' });
    expect(guard.locked('6001', '8002')).toBeNull();
    c.advance(60_000);
    expect(guard.locked('6001', '8001')).toBeNull();
    const durations = [];
    for (let round = 0; round < 8; round++) {
      let started: ReturnType<PinGuard['fail']> = [];
      for (let i = 0; i < 5; i++) started = guard.fail(`7${round}`, '8001');
      durations.push(started.find((l) => l.scope === 'caller')?.lockedForMs);
      c.advance(started[0]?.lockedForMs ?? 0);
    }
    expect(durations).toEqual([120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  it('forgets wrong PINs older than the window, and a caller whose right PIN follows', () => {
    const c = clock();
    const guard = new PinGuard({ now: c.now });
    for (let i = 0; i < 4; i++) guard.fail('6001', '8001');
    c.advance(15 * 60_000);
    expect(guard.fail('6001', '8001')).toEqual([]);
    for (let i = 0; i < 3; i++) guard.fail('6001', '8001');
    guard.succeed('8001');
    expect(guard.fail('6001', '8001')).toEqual([]);
  });

  it('locks a conference number guessed by many callers, for everyone', () => {
    const c = clock();
    const guard = new PinGuard({ now: c.now });
    let started: ReturnType<PinGuard['fail']> = [];
    for (let i = 0; i < 20; i++) started = guard.fail('6001', `80${i}`);
    expect(started).toEqual([expect.objectContaining({ scope: 'number', key: '6001', lockedForMs: 60_000 })]);
    expect(guard.locked('6001', '8999')).toMatchObject({ scope: 'number' });
    expect(guard.locked('6002', '8999')).toBeNull();
  });

  it('starts a key over after a quiet day', () => {
    const c = clock();
    const guard = new PinGuard({ now: c.now, callerFailures: 1 });
    expect(guard.fail('6001', '8001')[0]?.lockedForMs).toBe(60_000);
    c.advance(60_000);
    expect(guard.fail('6001', '8001')[0]?.lockedForMs).toBe(120_000);
    c.advance(25 * 60 * 60_000);
    expect(guard.fail('6001', '8001')[0]?.lockedForMs).toBe(60_000);
  });
});
