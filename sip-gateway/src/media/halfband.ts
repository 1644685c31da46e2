/**
 * 2:1 sample-rate conversion between the gateway's two mix rates, 16 kHz
 * (G.722 legs, browsers) and 8 kHz (G.711 legs), one 20 ms frame at a time
 * with the filter's history carried between frames.
 *
 * Written here rather than taken from npm because the job is one fixed
 * ratio on 20 ms frames in the mixer's hot path: the registry's resamplers
 * are either whole-buffer (no state across frames), arbitrary-ratio
 * WebAssembly builds that load asynchronously, or both. A half-band FIR
 * does it with half its taps zero: 8 kHz out of 16 kHz keeps every other
 * output of the low-pass; 16 kHz out of 8 kHz is the same filter run as two
 * phases, one of which is a pure delay.
 *
 * The filter: 47 taps, windowed sinc cut at 4 kHz (Blackman window). Flat
 * within 0.1 dB to 3 kHz, about −1 dB at 3.4 kHz (the top of the telephone
 * band), stop band below −70 dB from 4.9 kHz.
 */
import { FRAME_SAMPLES, WIDE_FRAME_SAMPLES } from './audioFrame.ts';

const TAPS = 47;
const CENTRE = (TAPS - 1) / 2;

/** The odd-offset taps (every even offset from the centre but the centre itself is zero in a half-band filter). */
const SIDE_TAPS: Float64Array = (() => {
  const h = new Float64Array(TAPS);
  let sum = 0;
  for (let n = 0; n < TAPS; n++) {
    const k = n - CENTRE;
    const sinc = k === 0 ? 0.5 : Math.sin((Math.PI * k) / 2) / (Math.PI * k);
    const window =
      0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (TAPS - 1));
    h[n] = sinc * window;
    sum += h[n] as number;
  }
  // Unity gain at DC; the centre tap then is 0.5 and the odd-offset taps sum to 0.5.
  const taps = new Float64Array((CENTRE + 1) / 2);
  for (let j = 0; j < taps.length; j++) taps[j] = (h[CENTRE - 1 - 2 * j] as number) / sum;
  return taps;
})();
const CENTRE_TAP = 0.5;

function clamp16(value: number): number {
  return Math.min(32_767, Math.max(-32_768, Math.round(value)));
}

/** 16 kHz → 8 kHz for one stream: up to 320 samples in (an even number), half as many out. */
export class Downsampler {
  /** The last TAPS−1 input samples before this frame, then the frame itself. */
  readonly #line = new Float64Array(TAPS - 1 + WIDE_FRAME_SAMPLES);

  /** Forgets the history (a stream that stopped and starts again). */
  reset(): void {
    this.#line.fill(0);
  }

  process(input: Int16Array, out: Int16Array = new Int16Array(FRAME_SAMPLES)): Int16Array {
    const line = this.#line;
    const history = TAPS - 1;
    const count = Math.min(WIDE_FRAME_SAMPLES, input.length) >> 1;
    for (let i = 0; i < 2 * count; i++) line[history + i] = input[i] as number;
    for (let m = 0; m < count; m++) {
      // Output m is centred on input 2m+1 of this frame, i.e. line index history + 2m + 1 − CENTRE.
      const centre = 2 * m + 1 + history - CENTRE;
      let acc = CENTRE_TAP * (line[centre] as number);
      for (let j = 0; j < SIDE_TAPS.length; j++) {
        const offset = 2 * j + 1;
        acc += (SIDE_TAPS[j] as number) * ((line[centre - offset] as number) + (line[centre + offset] as number));
      }
      out[m] = clamp16(acc);
    }
    line.copyWithin(0, 2 * count, 2 * count + history);
    return count === out.length ? out : out.subarray(0, count);
  }
}

/** 8 kHz → 16 kHz for one stream: up to 160 samples in, twice as many out. */
export class Upsampler {
  static readonly #HALF = SIDE_TAPS.length;
  /** The last 2×HALF input samples before this frame, then the frame itself. */
  readonly #line = new Float64Array(2 * Upsampler.#HALF + FRAME_SAMPLES);

  reset(): void {
    this.#line.fill(0);
  }

  process(input: Int16Array, out: Int16Array = new Int16Array(WIDE_FRAME_SAMPLES)): Int16Array {
    const line = this.#line;
    const half = Upsampler.#HALF;
    const history = 2 * half;
    const count = Math.min(FRAME_SAMPLES, input.length);
    for (let i = 0; i < count; i++) line[history + i] = input[i] as number;
    for (let m = 0; m < count; m++) {
      // Zero-stuffed input times 2 (the gain lost to the zeros): the even phase is the centre tap alone,
      // the odd phase the side taps around the gap between two input samples.
      const base = m + half;
      out[2 * m] = clamp16(2 * CENTRE_TAP * (line[base] as number));
      let acc = 0;
      for (let j = 0; j < half; j++) {
        acc += (SIDE_TAPS[j] as number) * ((line[base - j] as number) + (line[base + 1 + j] as number));
      }
      out[2 * m + 1] = clamp16(2 * acc);
    }
    line.copyWithin(0, count, count + history);
    return 2 * count === out.length ? out : out.subarray(0, 2 * count);
  }
}
