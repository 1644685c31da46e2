import { describe, expect, it } from 'vitest';
import { RtpRestamper } from './RtpRestamper.ts';

const packet = (seq: number, ts: number): Buffer => {
  const p = Buffer.alloc(20);
  p[0] = 0x80;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(ts >>> 0, 4);
  return p;
};
const numbers = (p: Buffer) => [p.readUInt16BE(2), p.readUInt32BE(4)];

describe('RtpRestamper', () => {
  it('passes the first source through, then continues it when the source changes', () => {
    const r = new RtpRestamper();
    const a = [packet(100, 9_000), packet(101, 9_000), packet(102, 12_000)];
    for (const p of a) r.restamp(p, 'transcoder');
    expect(a.map(numbers)).toEqual([
      [100, 9_000],
      [101, 9_000],
      [102, 12_000],
    ]);
    // The forwarded consumer numbers from far "before" the transcoder's: continued right after it.
    const b = [packet(40_000, 500), packet(40_001, 500), packet(40_002, 3_500)];
    for (const p of b) r.restamp(p, 'forwarded');
    expect(b.map(numbers)).toEqual([
      [103, 15_000],
      [104, 15_000],
      [105, 18_000],
    ]);
  });

  it('keeps a reordered packet in its place and wraps at 2^16 and 2^32', () => {
    const r = new RtpRestamper();
    r.restamp(packet(65_534, 0xffff_f000), 'a');
    const late = packet(65_533, 0xffff_f000);
    r.restamp(late, 'a');
    expect(numbers(late)).toEqual([65_533, 0xffff_f000]);
    const next = packet(10, 77);
    r.restamp(next, 'b');
    // 65,535 follows 65,534; the timestamp one frame on, past 2^32.
    expect(numbers(next)).toEqual([65_535, (0xffff_f000 + 3_000) >>> 0]);
    const after = packet(11, 77);
    r.restamp(after, 'b');
    expect(numbers(after)).toEqual([0, (0xffff_f000 + 3_000) >>> 0]);
  });
});
