import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildRtp, parseRtp, RtpSender } from './rtp.ts';

describe('parseRtp / buildRtp', () => {
  it('round-trips a packet', () => {
    const fields = {
      payloadType: 0,
      sequenceNumber: 65_535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      marker: true,
      payload: Buffer.from([1, 2, 3, 4]),
    };
    const packet = parseRtp(buildRtp(fields));
    expect(packet).toEqual({ version: 2, ...fields });
  });

  it('skips CSRCs and the header extension, and strips padding', () => {
    const buf = Buffer.from([
      0xb1,
      0x08,
      0x00,
      0x07,
      0,
      0,
      0,
      160,
      0,
      0,
      0,
      9, // V=2 P X CC=1, PT 8
      0,
      0,
      0,
      1, // CSRC
      0xbe,
      0xde,
      0x00,
      0x01,
      1,
      2,
      3,
      4, // extension, one word
      0xaa,
      0xbb, // payload
      0,
      0,
      3, // padding of 3
    ]);
    const packet = parseRtp(buf);
    expect(packet?.payloadType).toBe(8);
    expect(packet?.sequenceNumber).toBe(7);
    expect([...(packet?.payload ?? [])]).toEqual([0xaa, 0xbb]);
  });

  it('rejects RTCP, short, wrong-version and inconsistent packets', () => {
    const sr = Buffer.alloc(28);
    sr[0] = 0x80;
    sr[1] = 200;
    expect(parseRtp(sr)).toBeNull();
    expect(parseRtp(Buffer.alloc(11, 0x80))).toBeNull();
    const v1 = buildRtp({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      marker: false,
      payload: Buffer.alloc(4),
    });
    v1[0] = 0x40;
    expect(parseRtp(v1)).toBeNull();
    const badCsrc = Buffer.alloc(20);
    badCsrc[0] = 0x8f; // 15 CSRCs announced, none present
    expect(parseRtp(badCsrc)).toBeNull();
    const badPadding = Buffer.alloc(16);
    badPadding[0] = 0xa0;
    badPadding[15] = 200;
    expect(parseRtp(badPadding)).toBeNull();
    const badExtension = Buffer.alloc(20);
    badExtension[0] = 0x90;
    badExtension.writeUInt16BE(100, 14);
    expect(parseRtp(badExtension)).toBeNull();
  });

  it('never throws on garbage, and what it accepts lies inside the datagram', () => {
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const buf = randomBytes(i % 64);
      if (i % 2 === 0 && buf.length > 0) buf[0] = ((buf[0] as number) & 0x3f) | 0x80; // make half look like v2
      const packet = parseRtp(buf);
      if (packet === null) continue;
      accepted++;
      expect(packet.payload.length).toBeGreaterThan(0);
      expect(packet.payload.byteOffset + packet.payload.length).toBeLessThanOrEqual(buf.byteOffset + buf.length);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('RtpSender', () => {
  it('advances seq by one and timestamp by the samples, marker first and after a gap', () => {
    const sender = new RtpSender({ ssrc: 42, payloadType: 0 });
    const packets = [0, 1, 2].map(() => parseRtp(sender.packet(Buffer.alloc(160, 0xff), 160)));
    sender.gap(800);
    packets.push(parseRtp(sender.packet(Buffer.alloc(160, 0xff), 160)));
    const [a, b, c, d] = packets;
    expect(packets.map((p) => p?.marker)).toEqual([true, false, false, true]);
    expect(packets.every((p) => p?.ssrc === 42 && p.payloadType === 0)).toBe(true);
    expect(((b?.sequenceNumber ?? 0) - (a?.sequenceNumber ?? 0)) & 0xffff).toBe(1);
    expect(((c?.timestamp ?? 0) - (b?.timestamp ?? 0)) >>> 0).toBe(160);
    expect(((d?.sequenceNumber ?? 0) - (c?.sequenceNumber ?? 0)) & 0xffff).toBe(1);
    expect(((d?.timestamp ?? 0) - (c?.timestamp ?? 0)) >>> 0).toBe(960);
  });
});
