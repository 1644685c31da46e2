import { describe, expect, it } from 'vitest';
import { JitterBuffer } from './JitterBuffer.ts';
import type { RtpPacket } from './rtp.ts';

function packet(seq: number, ssrc = 1): RtpPacket {
  const s = seq & 0xffff;
  return {
    version: 2,
    payloadType: 0,
    sequenceNumber: s,
    timestamp: s * 160,
    ssrc,
    marker: false,
    payload: Buffer.from([s & 0xff, s >> 8]),
  };
}

/** Sequence numbers of the frames popped, null for an empty tick. */
function drain(jb: JitterBuffer, ticks: number): (number | null)[] {
  return Array.from({ length: ticks }, () => {
    const p = jb.pop();
    return p === null ? null : (p[0] as number) | ((p[1] as number) << 8);
  });
}

describe('JitterBuffer', () => {
  it('waits for the target depth, then plays in sequence order', () => {
    const jb = new JitterBuffer({ targetFrames: 3 });
    jb.push(packet(10));
    expect(drain(jb, 1)).toEqual([null]);
    jb.push(packet(11));
    expect(drain(jb, 1)).toEqual([null]);
    jb.push(packet(12));
    expect(drain(jb, 4)).toEqual([10, 11, 12, null]);
  });

  it('reorders packets', () => {
    const jb = new JitterBuffer({ targetFrames: 3 });
    for (const seq of [100, 102, 101, 104, 103]) jb.push(packet(seq));
    expect(drain(jb, 6)).toEqual([100, 101, 102, 103, 104, null]);
    expect(jb.stats).toMatchObject({ received: 5, lost: 0, late: 0, duplicates: 0 });
  });

  it('skips a lost packet and counts it', () => {
    const jb = new JitterBuffer({ targetFrames: 2 });
    for (const seq of [1, 2, 4, 5]) jb.push(packet(seq));
    expect(drain(jb, 5)).toEqual([1, 2, null, 4, 5]);
    expect(jb.stats.lost).toBe(1);
  });

  it('drops duplicates and packets that come after their turn', () => {
    const jb = new JitterBuffer({ targetFrames: 2 });
    for (const seq of [1, 2, 2, 3]) jb.push(packet(seq));
    expect(drain(jb, 2)).toEqual([1, 2]);
    jb.push(packet(1));
    expect(drain(jb, 2)).toEqual([3, null]);
    expect(jb.stats).toMatchObject({ duplicates: 1, late: 1 });
  });

  it('plays across the sequence number wrap', () => {
    const jb = new JitterBuffer({ targetFrames: 3 });
    for (const seq of [65_534, 0, 65_535, 1, 2]) jb.push(packet(seq));
    expect(drain(jb, 5)).toEqual([65_534, 65_535, 0, 1, 2]);
  });

  it('rebuffers after an underrun and does not count the pause as loss', () => {
    const jb = new JitterBuffer({ targetFrames: 2 });
    jb.push(packet(1));
    jb.push(packet(2));
    expect(drain(jb, 4)).toEqual([1, 2, null, null]);
    jb.push(packet(3));
    expect(drain(jb, 1)).toEqual([null]);
    jb.push(packet(4));
    expect(drain(jb, 3)).toEqual([3, 4, null]);
    expect(jb.stats.lost).toBe(0);
  });

  it('resyncs on a new SSRC or a big sequence jump', () => {
    const jb = new JitterBuffer({ targetFrames: 1 });
    jb.push(packet(10));
    expect(drain(jb, 1)).toEqual([10]);
    jb.push(packet(40_000));
    expect(drain(jb, 1)).toEqual([40_000 & 0xffff]);
    jb.push(packet(7, 2));
    expect(drain(jb, 2)).toEqual([7, null]);
    expect(jb.stats.resyncs).toBe(2);
    expect(jb.stats.lost).toBe(0);
  });

  it('keeps at most maxFrames, dropping the oldest when the sender runs ahead', () => {
    const jb = new JitterBuffer({ targetFrames: 2, maxFrames: 4 });
    for (let seq = 1; seq <= 6; seq++) jb.push(packet(seq));
    expect(drain(jb, 5)).toEqual([3, 4, 5, 6, null]);
    expect(jb.stats.overflow).toBe(2);
  });
});
