/**
 * The device simulator's MPEG-2 program stream muxer, written from ISO/IEC
 * 13818-1 §2.5 and GB/T 28181-2016 annex C as a camera does it: per frame a
 * pack header; on key frames also a system header and a program stream map
 * (stream_type 0x1B H.264, or 0x24 H.265 to test the refusal); then the
 * frame in video PES packets (stream id 0xE0) of at most 65,000 bytes with
 * the PTS on the first. Deliberately independent of the platform's demuxer.
 */

const VIDEO_ID = 0xe0;
const MAX_PES_PAYLOAD = 65_000;

function packHeader(scr90k: number): Buffer {
  const b = Buffer.alloc(14);
  b.writeUInt32BE(0x000001ba, 0);
  const scr = BigInt(Math.floor(scr90k));
  const bits = (shift: bigint, mask: bigint) => Number((scr >> shift) & mask);
  // '01' SCR[32..30] 1 SCR[29..15] 1 SCR[14..0] 1 SCR_ext(9) 1
  b[4] = 0x44 | (bits(30n, 7n) << 3) | bits(28n, 3n);
  b[5] = bits(20n, 0xffn);
  b[6] = 0x04 | (bits(15n, 0x1fn) << 3) | bits(13n, 3n);
  b[7] = bits(5n, 0xffn);
  b[8] = 0x04 | (bits(0n, 0x1fn) << 3);
  b[9] = 0x01;
  // program_mux_rate (22 bits, units of 50 B/s) = 2 Mbit/s, markers '11', then 5 reserved bits and 0 stuffing.
  const muxRate = 5000;
  b[10] = (muxRate >> 14) & 0xff;
  b[11] = (muxRate >> 6) & 0xff;
  b[12] = ((muxRate << 2) & 0xfc) | 0x03;
  b[13] = 0xf8;
  return b;
}

function systemHeader(): Buffer {
  const body = Buffer.from([0x80, 0x27, 0x11, 0x04, 0xe1, 0xff, VIDEO_ID, 0xe0, 0x80]);
  const head = Buffer.alloc(6);
  head.writeUInt32BE(0x000001bb, 0);
  head.writeUInt16BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function streamMap(streamType: number): Buffer {
  const entries = Buffer.from([streamType, VIDEO_ID, 0x00, 0x00]);
  const body = Buffer.concat([
    Buffer.from([0xe0, 0xff, 0x00, 0x00]), // current_next, version, marker; program_stream_info_length 0
    Buffer.from([(entries.length >> 8) & 0xff, entries.length & 0xff]),
    entries,
    Buffer.alloc(4), // CRC_32 (not checked by decoders in practice)
  ]);
  const head = Buffer.alloc(6);
  head.writeUInt32BE(0x000001bc, 0);
  head.writeUInt16BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function pts(value: number): Buffer {
  const v = BigInt(Math.floor(value)) & 0x1ffffffffn;
  return Buffer.from([
    0x21 | (Number((v >> 30n) & 7n) << 1),
    Number((v >> 22n) & 0xffn),
    (Number((v >> 15n) & 0x7fn) << 1) | 1,
    Number((v >> 7n) & 0xffn),
    (Number(v & 0x7fn) << 1) | 1,
  ]);
}

function pes(payload: Buffer, ptsValue: number | null): Buffer {
  const optional = ptsValue === null ? Buffer.alloc(0) : pts(ptsValue);
  const head = Buffer.alloc(9);
  head.writeUInt32BE(0x000001e0, 0);
  head.writeUInt16BE(3 + optional.length + payload.length, 4);
  head[6] = 0x80;
  head[7] = ptsValue === null ? 0x00 : 0x80;
  head[8] = optional.length;
  return Buffer.concat([head, optional, payload]);
}

/** One frame (Annex B bytes) as a program-stream pack. */
export function muxPsFrame(frame: Buffer, pts90k: number, opts: { key: boolean; streamType?: number }): Buffer {
  const parts = [packHeader(pts90k)];
  if (opts.key) parts.push(systemHeader(), streamMap(opts.streamType ?? 0x1b));
  for (let at = 0; at < frame.length; at += MAX_PES_PAYLOAD) {
    parts.push(pes(frame.subarray(at, at + MAX_PES_PAYLOAD), at === 0 ? pts90k : null));
  }
  return Buffer.concat(parts);
}

/** A PS pack cut into RTP packets (payload type 96, 90 kHz), the marker on the frame's last one. */
export function psRtpPackets(
  pack: Buffer,
  opts: { ssrc: number; sequence: number; timestamp: number; mtu?: number },
): Buffer[] {
  const mtu = opts.mtu ?? 1400;
  const packets: Buffer[] = [];
  for (let at = 0, index = 0; at < pack.length; at += mtu, index += 1) {
    const last = at + mtu >= pack.length;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (last ? 0x80 : 0) | 96;
    header.writeUInt16BE((opts.sequence + index) & 0xffff, 2);
    header.writeUInt32BE(opts.timestamp >>> 0, 4);
    header.writeUInt32BE(opts.ssrc >>> 0, 8);
    packets.push(Buffer.concat([header, pack.subarray(at, at + mtu)]));
  }
  return packets;
}
