import { describe, expect, it } from 'vitest';
import { ulawDecode } from '../../sip-gateway/src/media/g711.ts';
import { goertzel } from '../../sip-gateway/src/media/toneTesting.ts';
import { pcmuToneFrame, toneFor } from './tone.ts';

describe('tone', () => {
  it('is one 20 ms PCMU frame of the asked frequency, seamless when repeated', () => {
    const frame = pcmuToneFrame(1_000);
    expect(frame).toHaveLength(160);
    const twice = ulawDecode(Buffer.concat([frame, frame]));
    expect(goertzel(twice, 1_000)).toBeGreaterThan(7_000);
    expect(goertzel(twice, 1_050)).toBeLessThan(500);
  });

  it('gives neighbours different tones and refuses frequencies that do not tile 20 ms', () => {
    expect(new Set(Array.from({ length: 16 }, (_, i) => toneFor(i))).size).toBe(16);
    expect(() => pcmuToneFrame(1_010)).toThrow(TypeError);
    expect(() => pcmuToneFrame(4_000)).toThrow(TypeError);
  });
});
