/**
 * What a load participant says: a steady sine tone in PCMU. A frequency that
 * is a multiple of 50 Hz fits a whole number of cycles into 20 ms, so one
 * encoded frame repeats seamlessly and sending costs no encoding per packet.
 * Different participants use different tones (toneFor) so a listener can
 * tell them apart.
 */
import { ulawEncode } from '../../sip-gateway/src/media/g711.ts';
import { SineSource } from '../../sip-gateway/src/media/toneTesting.ts';

const FRAME_HZ = 50;
/** About −12 dBFS: loud enough to recognise, far from clipping when a mixer sums a few. */
const AMPLITUDE = 8_000;

/** One 20 ms PCMU frame (160 bytes) of a `frequencyHz` sine; `frequencyHz` must be a multiple of 50. */
export function pcmuToneFrame(frequencyHz: number): Buffer {
  if (frequencyHz <= 0 || frequencyHz >= 4000 || frequencyHz % FRAME_HZ !== 0) {
    throw new TypeError(`tone frequency must be a multiple of ${FRAME_HZ} Hz below 4 kHz, got ${frequencyHz}`);
  }
  return ulawEncode(new SineSource(frequencyHz, AMPLITUDE).next());
}

/** Participant i's tone: 400, 450, … 1150 Hz, then round again. */
export function toneFor(index: number): number {
  return 400 + (index % 16) * FRAME_HZ;
}
