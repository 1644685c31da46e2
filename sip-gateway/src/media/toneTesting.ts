/**
 * Tones and tone detection for tests and the bench: a sine generator that
 * keeps its phase across frames, and the Goertzel filter, which measures
 * one frequency's power in a block far more cheaply than an FFT.
 */
import { SAMPLE_RATE } from './audioFrame.ts';

export class SineSource {
  #phase = 0;
  constructor(
    readonly frequency: number,
    readonly amplitude: number,
    readonly sampleRate = SAMPLE_RATE,
  ) {}

  /** The next `samples` samples (default one 20 ms frame at the source's rate). */
  next(samples = (this.sampleRate * 20) / 1000): Int16Array {
    const out = new Int16Array(samples);
    const step = (2 * Math.PI * this.frequency) / this.sampleRate;
    for (let i = 0; i < samples; i++) {
      out[i] = Math.round(this.amplitude * Math.sin(this.#phase));
      this.#phase += step;
    }
    this.#phase %= 2 * Math.PI;
    return out;
  }
}

/** Amplitude of `frequency` in `samples` (a full-scale sine of amplitude A gives ≈ A). */
export function goertzel(samples: Int16Array, frequency: number, sampleRate = SAMPLE_RATE): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = (samples[i] as number) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / samples.length;
}

/** Concatenates frames into one block for analysis. */
export function concatFrames(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}
