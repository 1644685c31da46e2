/**
 * What a phone hears when nobody in the room speaks: faint white noise
 * (about −70 dBov, RMS 10 of 32767), encoded once per codec at start-up.
 *
 * Why noise and not encoded digital silence: a line that goes perfectly
 * dead sounds dropped to the listener, and some phones' echo cancellers and
 * voice-activity detectors misbehave on all-zero input. Why send at all:
 * phones hang up or complain without RTP, and the stream keeps NAT
 * bindings open. Precomputed frames cost nothing per tick.
 */
import { FRAME_SAMPLES } from './audioFrame.ts';
import { type G711Codec, g711Encode } from './g711.ts';

const FRAMES = 50;
const RMS = 10;

function noisePayloads(codec: G711Codec): Buffer[] {
  // A fixed LCG: the noise is the same every run, which keeps tests repeatable.
  let state = 0x2545f491;
  const frames: Buffer[] = [];
  const pcm = new Int16Array(FRAME_SAMPLES);
  for (let f = 0; f < FRAMES; f++) {
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      // Uniform in [-1, 1) has RMS 1/√3.
      pcm[i] = Math.round(((state / 0x100000000) * 2 - 1) * RMS * Math.sqrt(3));
    }
    frames.push(g711Encode(codec, pcm));
  }
  return frames;
}

const PAYLOADS: Record<G711Codec, Buffer[]> = { PCMU: noisePayloads('PCMU'), PCMA: noisePayloads('PCMA') };

/** The comfort-noise payload for frame number `n` (cycles through a second of noise). Do not modify it. */
export function comfortNoisePayload(codec: G711Codec, n: number): Buffer {
  return PAYLOADS[codec][n % FRAMES] as Buffer;
}
