import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { MixerClock } from './MixerClock.ts';
import { waitUntil } from './udpTesting.ts';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // A stalled event loop, as a long synchronous task would cause.
  }
}

describe('MixerClock', () => {
  it('ticks every member once per frame and survives a member that throws', async () => {
    const clock = new MixerClock({ frameMs: 10 });
    let a = 0;
    let b = 0;
    const counterA = { tick: () => a++ };
    clock.add(counterA);
    clock.add({
      tick: () => {
        throw new Error('broken room');
      },
    });
    clock.add({ tick: () => b++ });
    clock.start();
    await waitUntil(() => clock.stats.ticks >= 5, 5000, 'five ticks');
    clock.remove(counterA);
    const aAtRemoval = a;
    await waitUntil(() => clock.stats.ticks >= 8, 5000, 'three more ticks');
    clock.stop();
    expect(a).toBe(aAtRemoval);
    expect(b).toBe(clock.stats.ticks);
    expect(clock.running).toBe(false);
  });

  it('catches up after a stall instead of losing frames, and counts the late ticks', async () => {
    const clock = new MixerClock({ frameMs: 20 });
    let stalled = false;
    clock.add({
      tick: () => {
        if (!stalled && clock.stats.ticks === 2) {
          stalled = true;
          busyWait(120);
        }
      },
    });
    const started = performance.now();
    clock.start();
    await waitUntil(() => clock.stats.ticks >= 12, 5000, 'twelve ticks');
    const elapsed = performance.now() - started;
    clock.stop();
    expect(clock.stats.late).toBeGreaterThanOrEqual(3);
    expect(clock.stats.maxLateMs).toBeGreaterThan(80);
    expect(clock.stats.skipped).toBe(0);
    // Every frame whose due time has passed has run (one may be due but not yet run).
    expect(clock.stats.ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 20) - 1);
    expect(clock.stats.tickCpuMs).toBeGreaterThanOrEqual(120);
  });

  it('skips and counts frames beyond the catch-up limit', async () => {
    const clock = new MixerClock({ frameMs: 10, maxCatchUpFrames: 2 });
    let stalled = false;
    clock.add({
      tick: () => {
        if (!stalled) {
          stalled = true;
          busyWait(100);
        }
      },
    });
    clock.start();
    await waitUntil(() => clock.stats.ticks >= 5, 5000, 'ticks after the stall');
    clock.stop();
    expect(clock.stats.skipped).toBeGreaterThanOrEqual(5);
  });
});
