import { describe, expect, it } from 'vitest';
import { attentionTone } from './attentionTone.ts';
import { SAMPLE_RATE } from './audioFrame.ts';

describe('attentionTone', () => {
  it('is a chime of about 1.9 s that is loud, fades, and never clips', () => {
    const tone = attentionTone();
    expect(tone.length / SAMPLE_RATE).toBeCloseTo(1.9, 1);
    const peak = (from: number, to: number) => tone.subarray(from, to).reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    // Loud at each note's strike, quiet at the end of each note, and silence before speech.
    expect(peak(0, 400)).toBeGreaterThan(10_000);
    expect(peak(4400, 4800)).toBeLessThan(peak(0, 400) / 4);
    expect(peak(4800, 5200)).toBeGreaterThan(10_000);
    expect(peak(tone.length - 3000, tone.length)).toBe(0);
    expect(peak(0, tone.length)).toBeLessThan(32_767);
  });
});
