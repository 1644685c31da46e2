/**
 * The attention tone (提示音) a loudspeaker plays before each reading of a
 * warning: a two-note chime, high then low, each struck and fading, the way
 * village broadcast systems announce themselves. Made here from two decaying
 * sines rather than shipped as a file: it is a few lines, always the same,
 * and needs no espeak-ng or sox at run time.
 */
import { SAMPLE_RATE } from './audioFrame.ts';

/** Notes of the chime (Hz) and how long each rings (s). */
const NOTES = [
  { hz: 784, seconds: 0.6 },
  { hz: 587, seconds: 0.9 },
] as const;
/** Silence after the chime before speech starts (s). */
const GAP_SECONDS = 0.4;
/** Peak amplitude (of 32767): loud and clear without clipping after G.711. */
const PEAK = 16_000;
/** How fast a note fades (1/s): it decays to about a tenth within its time. */
const DECAY = 3.5;

export function attentionTone(sampleRate = SAMPLE_RATE): Int16Array {
  const total = NOTES.reduce((sum, n) => sum + Math.round(n.seconds * sampleRate), 0);
  const out = new Int16Array(total + Math.round(GAP_SECONDS * sampleRate));
  let at = 0;
  for (const note of NOTES) {
    const length = Math.round(note.seconds * sampleRate);
    // A 5 ms attack: a sine that starts at full height clicks.
    const attack = Math.round(0.005 * sampleRate);
    for (let i = 0; i < length; i++) {
      const t = i / sampleRate;
      const envelope = Math.min(1, i / attack) * Math.exp(-DECAY * t);
      out[at + i] = Math.round(PEAK * envelope * Math.sin(2 * Math.PI * note.hz * t));
    }
    at += length;
  }
  return out;
}
