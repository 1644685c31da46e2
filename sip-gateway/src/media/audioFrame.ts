/**
 * The gateway's audio formats: mono signed 16-bit, 20 ms frames, at 8 kHz
 * (narrowband: G.711 phones, prompts) or 16 kHz (wideband: G.722 phones and
 * terminals, browsers' Opus). A frame's length says its rate.
 * Helpers here run once per source or leg per tick, so they loop over
 * typed arrays and allocate nothing.
 */
export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = 160;
export const WIDE_SAMPLE_RATE = 16_000;
export const WIDE_FRAME_SAMPLES = 320;

export type MixRate = typeof SAMPLE_RATE | typeof WIDE_SAMPLE_RATE;

/** Samples in one 20 ms frame at `rate`. */
export function frameSamples(rate: MixRate): number {
  return rate === WIDE_SAMPLE_RATE ? WIDE_FRAME_SAMPLES : FRAME_SAMPLES;
}

/** Root mean square of a frame, in sample units (full scale 32767). */
export function frameRms(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) {
    const s = frame[i] as number;
    sum += s * s;
  }
  return Math.sqrt(sum / Math.max(1, frame.length));
}

/** `into[i] = clamp(sum[i] - minus[i])`, or just the clamped sum when `minus` is null. */
export function saturate(sum: Int32Array, minus: Int16Array | null, into: Int16Array): void {
  for (let i = 0; i < into.length; i++) {
    let s = (sum[i] as number) - (minus === null ? 0 : (minus[i] as number));
    if (s > 32_767) s = 32_767;
    else if (s < -32_768) s = -32_768;
    into[i] = s;
  }
}
