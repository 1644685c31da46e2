import { describe, expect, it } from 'vitest';
import { LinkMemory } from './LinkMemory.ts';

const HOUR = 60 * 60 * 1000;

function clockAt(start = 0) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

describe('LinkMemory', () => {
  it('starts an unknown link, or one never limited, at 1 Mbit/s', () => {
    const memory = new LinkMemory();
    expect(memory.initialBitrate(undefined)).toBe(1_000_000);
    expect(memory.initialBitrate('u-1')).toBe(1_000_000);
    memory.record('u-2', null);
    expect(memory.initialBitrate('u-2')).toBe(1_000_000);
    expect(memory.startingBudget('u-2')).toBeNull();
  });

  it('starts a link limited last time at its last budget, clamped to 100 kbit/s .. 1 Mbit/s', () => {
    const memory = new LinkMemory();
    memory.record('township', 250_000);
    expect(memory.initialBitrate('township')).toBe(250_000);
    expect(memory.startingBudget('township')).toBe(250_000);
    // Cut deep by an outage: no measure of the link, start at the floor.
    memory.record('outage', 30_000);
    expect(memory.initialBitrate('outage')).toBe(100_000);
    // Limited, but above the default start: nothing to hold it to.
    memory.record('fast', 2_500_000);
    expect(memory.initialBitrate('fast')).toBe(1_000_000);
    expect(memory.startingBudget('fast')).toBeNull();
  });

  it('keeps the last record: a limit lifted since is no limit', () => {
    const memory = new LinkMemory();
    memory.record('u', 200_000);
    memory.record('u', 300_000);
    expect(memory.initialBitrate('u')).toBe(300_000);
    memory.record('u', null);
    expect(memory.initialBitrate('u')).toBe(1_000_000);
  });

  it('forgets a limit after 24 h', () => {
    const clock = clockAt(1_000);
    const memory = new LinkMemory({ now: clock.read });
    memory.record('u', 250_000);
    clock.now += 24 * HOUR;
    expect(memory.initialBitrate('u')).toBe(250_000);
    clock.now += 1;
    expect(memory.initialBitrate('u')).toBe(1_000_000);
    expect(memory.size).toBe(0);
  });

  it('keeps at most maxKeys links, the least recently recorded going first', () => {
    const memory = new LinkMemory({ maxKeys: 3 });
    memory.record('a', 200_000);
    memory.record('b', 200_000);
    memory.record('c', 200_000);
    // Recorded again: now the newest.
    memory.record('a', 210_000);
    memory.record('d', 200_000);
    expect(memory.size).toBe(3);
    expect(memory.initialBitrate('b')).toBe(1_000_000);
    expect(memory.initialBitrate('a')).toBe(210_000);
    expect(memory.initialBitrate('c')).toBe(200_000);
    expect(memory.initialBitrate('d')).toBe(200_000);
  });
});
