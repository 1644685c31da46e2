import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { G722Decoder, G722Encoder } from './g722.ts';
import { SineSource } from './toneTesting.ts';

/**
 * A deterministic 16 kHz test signal that drives every part of the codec:
 * integer-only (no Math.sin, whose last bit may differ between engines) —
 * a rising square-ish sweep, LCG white noise, full-scale clipping and
 * digital silence.
 */
function testSignal(): Int16Array {
  const out = new Int16Array(16_000);
  let seed = 12_345;
  for (let i = 0; i < out.length; i++) {
    if (i < 6000) {
      const period = 4 + Math.floor(i / 200); // 4 kHz falling towards 500 Hz
      out[i] = (i % period) * 2 < period ? 12_000 : -12_000;
    } else if (i < 10_000) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      out[i] = (seed >> 12) - 262_144 > 0 ? (seed % 20_000) - 10_000 : -(seed % 20_000) + 5000;
    } else if (i < 13_000) {
      out[i] = i % 16 < 8 ? 32_767 : -32_768;
    }
  }
  return out;
}

const sha256 = (data: Uint8Array | Int16Array) =>
  createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');

function ffmpeg(args: string[], input: Buffer): Buffer | null {
  try {
    return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], {
      input,
      maxBuffer: 16 << 20,
    });
  } catch {
    return null;
  }
}

/** Best SNR (dB) of `out` against `ref` over delays 0..63 samples (the codec's QMF pair delays by 22; a pure tone aliases it). */
function snrDb(ref: Int16Array, out: Int16Array, skip: number): { snr: number } {
  let best = { snr: -Infinity };
  for (let delay = 0; delay < 64; delay++) {
    let signal = 0;
    let noise = 0;
    for (let i = skip; i + delay < out.length; i++) {
      const s = ref[i] as number;
      signal += s * s;
      noise += (s - (out[i + delay] as number)) ** 2;
    }
    const snr = 10 * Math.log10(signal / Math.max(1, noise));
    if (snr > best.snr) best = { snr };
  }
  return best;
}

function rmsOf(samples: Int16Array, from: number): number {
  let sum = 0;
  for (let i = from; i < samples.length; i++) sum += (samples[i] as number) ** 2;
  return Math.sqrt(sum / (samples.length - from));
}

describe('G.722', () => {
  const signal = testSignal();

  it('matches the known vectors (made with ffmpeg’s independent G.722)', () => {
    const encoded = new G722Encoder().encode(signal);
    expect(encoded.length).toBe(8000);
    expect(sha256(encoded)).toBe(ENCODED_SHA256);
    expect(sha256(new G722Decoder().decode(encoded))).toBe(DECODED_SHA256);
  });

  it('agrees bit for bit with ffmpeg in both directions', (ctx) => {
    const pcm = Buffer.from(signal.buffer, signal.byteOffset, signal.byteLength);
    const theirs = ffmpeg(
      ['-f', 's16le', '-ar', '16000', '-ac', '1', '-i', '-', '-c:a', 'g722', '-f', 'g722', '-'],
      pcm,
    );
    if (theirs === null) {
      ctx.skip('ffmpeg with G.722 is not installed');
      return;
    }
    expect(Buffer.compare(new G722Encoder().encode(signal), theirs)).toBe(0);
    const theirPcm = ffmpeg(['-f', 'g722', '-i', '-', '-f', 's16le', '-'], theirs);
    const ours = new G722Decoder().decode(theirs);
    expect(Buffer.compare(Buffer.from(ours.buffer), theirPcm ?? Buffer.alloc(0))).toBe(0);
  });

  it('keeps its state across 20 ms frames: frame by frame equals all at once', () => {
    const whole = new G722Encoder().encode(signal);
    const encoder = new G722Encoder();
    const framed = Buffer.alloc(whole.length);
    for (let i = 0; i < signal.length; i += 320) encoder.encodeInto(signal.subarray(i, i + 320), framed, i / 2);
    expect(Buffer.compare(framed, whole)).toBe(0);
    const decoder = new G722Decoder();
    const decoded = new Int16Array(signal.length);
    for (let i = 0; i < whole.length; i += 160) decoder.decodeInto(whole.subarray(i, i + 160), decoded, i * 2);
    expect(sha256(decoded)).toBe(DECODED_SHA256);
  });

  it.each([
    [1000, 10_000],
    [300, 3000],
    [6000, 10_000],
  ])(
    'carries a %i Hz tone of amplitude %i at its level with SNR above 40 dB (20 dB above 4 kHz)',
    (frequency, amplitude) => {
      const tone = new SineSource(frequency, amplitude, 16_000).next(16_000);
      const decoded = new G722Decoder().decode(new G722Encoder().encode(tone));
      const { snr } = snrDb(tone, decoded, 1600);
      // Measured: 1 kHz 47 dB, 300 Hz 56 dB, 6 kHz (the 2-bit higher band, beyond G.711's reach) 27 dB.
      expect(snr).toBeGreaterThan(frequency > 4000 ? 20 : 40);
      const gainDb = 20 * Math.log10(rmsOf(decoded, 1600) / rmsOf(tone, 1600));
      expect(Math.abs(gainDb)).toBeLessThan(0.5);
    },
  );

  it('decodes any byte sequence without throwing and stays in range', () => {
    const garbage = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 151 + 7) & 0xff));
    const out = new G722Decoder().decode(garbage);
    expect(out.length).toBe(8000);
    expect(out.every((s) => s >= -32_768 && s <= 32_767)).toBe(true);
  });
});

const ENCODED_SHA256 = '1aec86959888ab389ea6cf7e6b4c47a8e2873568e637fe50b668c764e46c8b24';
const DECODED_SHA256 = 'd17d9e9df2c7b5725d89c8f0a39b50fa9aa03f11aedfc73693ddf51bf76ee2fc';
