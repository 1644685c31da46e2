import { describe, expect, it } from 'vitest';
import { frameRms } from './audioFrame.ts';
import { Downsampler, Upsampler } from './halfband.ts';
import { goertzel, SineSource } from './toneTesting.ts';

function run(frames: number, make: () => Int16Array, convert: (frame: Int16Array) => Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let f = 0; f < frames; f++) out.push(Int16Array.from(convert(make())));
  return out;
}

const levelDb = (frames: Int16Array[], amplitude: number) => {
  const rms = Math.sqrt(frames.slice(5).reduce((s, f) => s + frameRms(f) ** 2, 0) / (frames.length - 5));
  return 20 * Math.log10(rms / (amplitude / Math.SQRT2));
};

describe('half-band 2:1 conversion', () => {
  it.each([300, 1000, 3000])('keeps a %i Hz tone at its level both ways (within 0.2 dB)', (frequency) => {
    const wide = new SineSource(frequency, 10_000, 16_000);
    const down = new Downsampler();
    const narrowFrames = run(
      50,
      () => wide.next(),
      (f) => down.process(f),
    );
    expect(narrowFrames[10]?.length).toBe(160);
    expect(Math.abs(levelDb(narrowFrames, 10_000))).toBeLessThan(0.2);
    const narrow = new SineSource(frequency, 10_000, 8000);
    const up = new Upsampler();
    const wideFrames = run(
      50,
      () => narrow.next(),
      (f) => up.process(f),
    );
    expect(wideFrames[10]?.length).toBe(320);
    expect(Math.abs(levelDb(wideFrames, 10_000))).toBeLessThan(0.2);
    // A continuous tone stays one tone across frame boundaries: nearly all its power at its frequency.
    const joined = Int16Array.from(wideFrames.slice(5).flatMap((f) => [...f]));
    expect(goertzel(joined, frequency, 16_000)).toBeGreaterThan(9_800);
  });

  it('removes what 8 kHz cannot carry (6 kHz down by more than 60 dB) and images when going up', () => {
    const down = new Downsampler();
    const wide = new SineSource(6000, 10_000, 16_000);
    expect(
      levelDb(
        run(
          50,
          () => wide.next(),
          (f) => down.process(f),
        ),
        10_000,
      ),
    ).toBeLessThan(-60);
    const up = new Upsampler();
    const narrow = new SineSource(1000, 10_000, 8000);
    const joined = Int16Array.from(
      run(
        50,
        () => narrow.next(),
        (f) => up.process(f),
      )
        .slice(5)
        .flatMap((f) => [...f]),
    );
    // The zero-stuffing image of 1 kHz sits at 7 kHz.
    expect(goertzel(joined, 7000, 16_000)).toBeLessThan(10);
  });
});
