import { describe, expect, it } from 'vitest';
import { framesDue, MAX_BURST } from './MediaPacer.ts';

describe('media pacer', () => {
  it('sends the first frame at once and one per 20 ms of wall clock after it', () => {
    expect(framesDue(0, 0)).toEqual({ send: 1, skip: 0 });
    expect(framesDue(19, 1)).toEqual({ send: 0, skip: 0 });
    expect(framesDue(20, 1)).toEqual({ send: 1, skip: 0 });
    // A tick 30 ms late catches up with the frames that fell due.
    expect(framesDue(70, 2)).toEqual({ send: 2, skip: 0 });
    // Ahead of the clock (an early tick): nothing.
    expect(framesDue(40, 5)).toEqual({ send: 0, skip: 0 });
  });

  it('skips what a long stall left behind instead of bursting it', () => {
    // 1 s stalled: 50 frames due, MAX_BURST sent, the rest skipped (the RTP timestamp jumps).
    expect(framesDue(1_000, 1)).toEqual({ send: MAX_BURST, skip: 50 - MAX_BURST });
  });
});
