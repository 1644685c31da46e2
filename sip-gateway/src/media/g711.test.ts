import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, alawToUlaw, ulawDecode, ulawEncode } from './g711.ts';
import { goertzel, SineSource } from './toneTesting.ts';

describe('G.711', () => {
  it('encodes the ITU reference points', () => {
    expect([...ulawEncode(Int16Array.from([0, 32_767, -32_768, 1000, -1000]))]).toEqual([0xff, 0x80, 0x00, 0xce, 0x4e]);
    expect([...alawEncode(Int16Array.from([0, -1, 32_767, -32_768]))]).toEqual([0xd5, 0x55, 0xaa, 0x2a]);
    expect([...ulawDecode(Buffer.from([0xff, 0x7f, 0x80, 0x00]))]).toEqual([0, 0, 32_124, -32_124]);
    expect([...alawDecode(Buffer.from([0xd5, 0x55, 0xaa, 0x2a]))]).toEqual([8, -8, 32_256, -32_256]);
  });

  it('decodes every code word exactly as sox does', (ctx) => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const [type, decode] of [
      ['ul', ulawDecode],
      ['al', alawDecode],
    ] as const) {
      let sox: Buffer;
      try {
        sox = execFileSync(
          'sox',
          ['-t', type, '-r', '8000', '-c', '1', '-', '-t', 'raw', '-b', '16', '-e', 'signed-integer', '-L', '-'],
          { input: all },
        );
      } catch {
        ctx.skip('sox is not installed');
        return;
      }
      expect([...decode(all)]).toEqual(Array.from({ length: 256 }, (_, i) => sox.readInt16LE(i * 2)));
    }
  });

  it('decode then encode gives back every code word', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    // µ-law has two zeros (0x7f and 0xff); both decode to 0, which encodes as 0xff.
    expect([...ulawEncode(ulawDecode(all))]).toEqual([...all].map((b) => (b === 0x7f ? 0xff : b)));
    expect([...alawEncode(alawDecode(all))]).toEqual([...all]);
  });

  it('round-trips 16-bit PCM within the companding error (≈ 3% of the sample)', () => {
    for (const codec of [
      { encode: ulawEncode, decode: ulawDecode },
      { encode: alawEncode, decode: alawDecode },
    ]) {
      for (let s = -32_000; s <= 32_000; s += 97) {
        const back = codec.decode(codec.encode(Int16Array.of(s)))[0] as number;
        expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.max(16, Math.abs(s) * 0.035));
      }
    }
  });

  it('keeps a tone a tone', () => {
    const tone = new SineSource(1000, 8000).next(800);
    const back = ulawDecode(ulawEncode(tone));
    expect(goertzel(back, 1000)).toBeGreaterThan(7500);
    expect(goertzel(back, 1700)).toBeLessThan(200);
  });

  it('transcodes A-law to µ-law like decoding and re-encoding', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect([...alawToUlaw(all)]).toEqual([...ulawEncode(alawDecode(all))]);
  });
});
