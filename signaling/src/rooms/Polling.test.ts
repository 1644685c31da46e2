import { describe, expect, it } from 'vitest';
import { Polling, type PollingClock } from './Polling.ts';

/** A clock the test advances by hand. */
class ManualClock implements PollingClock {
  now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

function polling(peerIds: string[], clock = new ManualClock()) {
  const shown: string[] = [];
  const p = new Polling({ peerIds, intervalSeconds: 5, clock, onStep: (id) => shown.push(id) });
  return { p, shown, clock };
}

describe('Polling', () => {
  it('shows the first peer at once and rotates every interval', () => {
    const { p, shown, clock } = polling(['a', 'b', 'c']);
    p.start();
    expect(shown).toEqual(['a']);
    clock.advance(4_999);
    expect(shown).toEqual(['a']);
    clock.advance(1);
    expect(shown).toEqual(['a', 'b']);
    clock.advance(10_000);
    expect(shown).toEqual(['a', 'b', 'c', 'a']);
    expect(p.view()).toEqual({ peerIds: ['a', 'b', 'c'], intervalSeconds: 5, index: 0, paused: false });
  });

  it('pauses on the current peer and resumes with a full interval', () => {
    const { p, shown, clock } = polling(['a', 'b']);
    p.start();
    clock.advance(3_000);
    p.pause();
    clock.advance(60_000);
    expect(shown).toEqual(['a']);
    expect(p.view().paused).toBe(true);
    p.resume();
    clock.advance(4_999);
    expect(shown).toEqual(['a']);
    clock.advance(1);
    expect(shown).toEqual(['a', 'b']);
  });

  it('stops for good and leaves no timer behind', () => {
    const { p, shown, clock } = polling(['a', 'b']);
    p.start();
    p.stop();
    p.resume();
    clock.advance(60_000);
    expect(shown).toEqual(['a']);
    expect(clock.pending).toBe(0);
    expect(p.stopped).toBe(true);
  });

  it('drops a peer that left, moving on if it was on view, and stops when nobody is left', () => {
    const { p, shown, clock } = polling(['a', 'b', 'c']);
    p.start();
    clock.advance(5_000); // b on view
    expect(p.removePeer('a')).toBe(true); // before the current one: index follows
    expect(p.current).toBe('b');
    expect(p.removePeer('b')).toBe(true); // on view: next one shown now
    expect(shown).toEqual(['a', 'b', 'c']);
    expect(p.removePeer('c')).toBe(false);
    expect(p.stopped).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('ignores duplicate peers and refuses nonsense', () => {
    expect(polling(['a', 'a', 'b']).p.view().peerIds).toEqual(['a', 'b']);
    expect(() => new Polling({ peerIds: [], intervalSeconds: 5, onStep: () => undefined })).toThrow(TypeError);
    expect(() => new Polling({ peerIds: ['a'], intervalSeconds: 0, onStep: () => undefined })).toThrow(TypeError);
  });
});
