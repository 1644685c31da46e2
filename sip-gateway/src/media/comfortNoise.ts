/**
 * What a phone hears when nobody in the room speaks: faint white noise
 * (about −70 dBov, RMS 10 of 32767), encoded once per codec at start-up.
 *
 * Why noise and not encoded digital silence: a line that goes perfectly
 * dead sounds dropped to the listener, and some phones' echo cancellers and
 * voice-activity detectors misbehave on all-zero input. Why send at all:
 * phones hang up or complain without RTP, and the stream keeps NAT
 * bindings open. Precomputed frames cost nothing per tick. G.722 is
 * stateful (a frame encoded once would not fit the phone's decoder state
 * later), so G.722 legs encode the same 8 kHz noise frames as they go.
 */
import { FRAME_SAMPLES } from './audioFrame.ts';
import { type G711Codec, g711Encode } from './g711.ts';

const FRAMES = 50;
const RMS = 10;

function noiseFrames(): Int16Array[] {
  // A fixed LCG: the noise is the same every run, which keeps tests repeatable.
  let state = 0x2545f491;
  const frames: Int16Array[] = [];
  for (let f = 0; f < FRAMES; f++) {
    const pcm = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      // Uniform in [-1, 1) has RMS 1/√3.
      pcm[i] = Math.round(((state / 0x100000000) * 2 - 1) * RMS * Math.sqrt(3));
    }
    frames.push(pcm);
  }
  return frames;
}

const NOISE = noiseFrames();
const PAYLOADS: Record<G711Codec, Buffer[]> = {
  PCMU: NOISE.map((pcm) => g711Encode('PCMU', pcm)),
  PCMA: NOISE.map((pcm) => g711Encode('PCMA', pcm)),
};

/** Comfort noise as 8 kHz PCM, frame number `n` (cycles through a second). Do not modify it. */
export function comfortNoiseFrame(n: number): Int16Array {
  return NOISE[n % FRAMES] as Int16Array;
}

/** The comfort-noise payload for frame number `n` (cycles through a second of noise). Do not modify it. */
export function comfortNoisePayload(codec: G711Codec, n: number): Buffer {
  return PAYLOADS[codec][n % FRAMES] as Buffer;
}
