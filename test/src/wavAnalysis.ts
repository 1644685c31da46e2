/**
 * Reads PCM16 WAV files and measures what a test needs to know about audio:
 * level (RMS, dBFS), whether a tone is present (Goertzel), and for how long
 * something was audible. Samples are floats in [-1, 1).
 *
 * Recordings made by baresip's sndfile module, sox and ffmpeg all parse; a file
 * whose writer was killed before it finalised the header (data size 0 or too
 * large) is read up to its last whole frame rather than rejected.
 */
import { readFile } from 'node:fs/promises';

export class WavFormatError extends Error {
  readonly code = 'wav_format';
  constructor(message: string) {
    super(message);
    this.name = 'WavFormatError';
  }
}

export interface Wav {
  sampleRate: number;
  channels: number;
  /** One array per channel. */
  channelData: Float32Array[];
  /** Channels averaged into one (the first channel itself for mono). */
  samples: Float32Array;
  durationSeconds: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export function parseWav(buf: Buffer): Wav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: { channels: number; sampleRate: number; bits: number } | null = null;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of its sub-format GUID.
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26) format = buf.readUInt16LE(body + 24);
      const bits = buf.readUInt16LE(body + 14);
      if (format !== WAVE_FORMAT_PCM || bits !== 16) {
        throw new WavFormatError(`only 16-bit PCM is supported (format ${format}, ${bits} bits)`);
      }
      fmt = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      const frameBytes = 2 * fmt.channels;
      const available = buf.length - body;
      // An unfinalised header says 0 (or 0xffffffff): take what was written.
      const declared = size === 0 || size > available ? available : size;
      const frames = Math.floor(declared / frameBytes);
      return decode(buf, body, frames, fmt.channels, fmt.sampleRate);
    }
    // Chunks are word-aligned: an odd size is followed by a pad byte.
    offset = body + size + (size % 2);
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}

function decode(buf: Buffer, start: number, frames: number, channels: number, sampleRate: number): Wav {
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      (channelData[c] as Float32Array)[i] = buf.readInt16LE(start + (i * channels + c) * 2) / 32768;
    }
  }
  let samples = channelData[0] ?? new Float32Array(0);
  if (channels > 1) {
    const mixed = new Float32Array(frames);
    for (const data of channelData)
      for (let i = 0; i < frames; i++) mixed[i] = (mixed[i] as number) + (data[i] as number) / channels;
    samples = mixed;
  }
  return { sampleRate, channels, channelData, samples, durationSeconds: frames / sampleRate };
}

export async function readWav(path: string): Promise<Wav> {
  return parseWav(await readFile(path));
}

/** Root mean square; 0 for no samples. */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] as number) ** 2;
  return Math.sqrt(sum / samples.length);
}

/** RMS level in dB relative to full scale (a full-scale square wave is 0 dB, a full-scale
 * sine −3 dB); -Infinity for digital silence. */
export function dbfs(samples: ArrayLike<number>): number {
  return 20 * Math.log10(rms(samples));
}

/**
 * Mean power of the component at `freqHz` (generalised Goertzel, so any
 * frequency, not only DFT bins), scaled like `rms²`: a sine of amplitude A
 * gives ≈ A²/2, the same as its mean square.
 */
export function goertzel(samples: ArrayLike<number>, rate: number, freqHz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * freqHz) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const magnitude2 = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * magnitude2) / (n * n);
}

/**
 * Share of the signal's power that sits at `freqHz` (≈1 for a pure tone, ≈0
 * when the tone is absent). Measured in blocks and summed, because a call
 * recording has gaps and jitter-buffer jumps that break phase over the whole file.
 */
export function toneRatio(samples: ArrayLike<number>, rate: number, freqHz: number, blockMs = 100): number {
  const block = Math.max(1, Math.round((rate * blockMs) / 1000));
  let tone = 0;
  let total = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    const part = slice(samples, start, start + block);
    tone += goertzel(part, rate, freqHz) * block;
    total += rms(part) ** 2 * block;
  }
  return total === 0 ? 0 : tone / total;
}

/** dBFS of each consecutive frame (default 20 ms, one RTP packet of G.711). */
export function frameLevels(samples: ArrayLike<number>, rate: number, frameMs = 20): number[] {
  const frame = Math.max(1, Math.round((rate * frameMs) / 1000));
  const levels: number[] = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    levels.push(dbfs(slice(samples, start, start + frame)));
  }
  return levels;
}

/** Seconds of frames at or above `thresholdDb` (default −40 dBFS: speech and tones, not G.711 idle noise). */
export function activeSeconds(samples: ArrayLike<number>, rate: number, thresholdDb = -40, frameMs = 20): number {
  const active = frameLevels(samples, rate, frameMs).filter((level) => level >= thresholdDb).length;
  return (active * frameMs) / 1000;
}

/** Samples between two times in seconds (clamped to the signal). */
export function segment(samples: Float32Array, rate: number, fromSeconds: number, toSeconds: number): Float32Array {
  return samples.subarray(Math.max(0, Math.round(fromSeconds * rate)), Math.round(toSeconds * rate));
}

function slice(samples: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  return samples instanceof Float32Array ? samples.subarray(start, end) : Array.from(samples).slice(start, end);
}
