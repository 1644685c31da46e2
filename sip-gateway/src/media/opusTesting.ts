/**
 * Opus packets as a browser would send them (48 kHz stereo, 20 ms), for
 * tests and the bench. Encoding is slow (≈4.5k frames/s per core), so the
 * bench encodes a second once and loops it.
 */
import opus from '@discordjs/opus';
import { SineSource } from './toneTesting.ts';

export function encodeOpusTone(
  frequency: number | number[],
  amplitude: number,
  frames: number,
  frameMs = 20,
): Buffer[] {
  const encoder = new opus.OpusEncoder(48_000, 2);
  // Several frequencies: a chord, each at `amplitude`.
  const tones = (Array.isArray(frequency) ? frequency : [frequency]).map((f) => new SineSource(f, amplitude, 48_000));
  const packets: Buffer[] = [];
  for (let f = 0; f < frames; f++) {
    const mono = new Int16Array((48_000 * frameMs) / 1000);
    for (const tone of tones) {
      const part = tone.next(mono.length);
      for (let i = 0; i < mono.length; i++) mono[i] = (mono[i] as number) + (part[i] as number);
    }
    const stereo = Buffer.alloc(mono.length * 4);
    for (let i = 0; i < mono.length; i++) {
      stereo.writeInt16LE(mono[i] as number, i * 4);
      stereo.writeInt16LE(mono[i] as number, i * 4 + 2);
    }
    packets.push(encoder.encode(stereo));
  }
  return packets;
}
