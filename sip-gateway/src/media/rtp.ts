/**
 * RTP (RFC 3550) packets as the gateway sees them: parsed from whatever a
 * phone or mediasoup sends, built for what we send. Parsing never throws —
 * a UDP port on a LAN receives anything — it answers null instead.
 */
import { randomInt } from 'node:crypto';

export interface RtpPacket {
  version: 2;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  /** A view into the received datagram, not a copy. */
  payload: Buffer;
}

const HEADER_BYTES = 12;

/**
 * The packet, or null for RTCP (RFC 5761 demultiplexing: second byte
 * 192–223, i.e. RTP payload types 64–95 with the marker set), truncated or
 * inconsistent headers, a version other than 2, or an empty payload.
 */
export function parseRtp(buf: Buffer): RtpPacket | null {
  if (buf.length < HEADER_BYTES) return null;
  const first = buf[0] as number;
  const second = buf[1] as number;
  if (first >> 6 !== 2) return null;
  if (second >= 192 && second <= 223) return null;
  let offset = HEADER_BYTES + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (offset + 4 > buf.length) return null;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (first & 0x20) {
    const padding = buf[end - 1] as number;
    if (padding === 0) return null;
    end -= padding;
  }
  if (offset >= end) return null;
  return {
    version: 2,
    payloadType: second & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    marker: (second & 0x80) !== 0,
    payload: buf.subarray(offset, end),
  };
}

/** A fresh datagram: 12-byte header (no CSRC, extension or padding) + a copy of the payload. */
export function buildRtp(p: Omit<RtpPacket, 'version'>): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(out, HEADER_BYTES);
  return out;
}

export interface RtpSenderOptions {
  /** Default: random. */
  ssrc?: number;
  payloadType: number;
  /** Default 8000 (G.711). Only documents the unit of `samples`; stamping needs no rate. */
  clockRate?: number;
}

/**
 * Stamps an outgoing stream: one SSRC, sequence numbers without holes, a
 * timestamp that advances by the samples each packet carries. Sequence and
 * timestamp start at random values (RFC 3550 §5.1).
 */
export class RtpSender {
  readonly ssrc: number;
  readonly clockRate: number;
  /** Mutable: a re-INVITE may renegotiate the payload type of the same stream. */
  payloadType: number;
  #sequenceNumber = randomInt(0, 0x10000);
  #timestamp = randomInt(0, 0xffffffff);
  #marker = true;

  constructor(opts: RtpSenderOptions) {
    this.ssrc = (opts.ssrc ?? randomInt(1, 0xffffffff)) >>> 0;
    this.payloadType = opts.payloadType;
    this.clockRate = opts.clockRate ?? 8000;
  }

  /** The next packet: this one carries `samples` samples; marker on the first and after a gap. */
  packet(payload: Buffer, samples: number): Buffer {
    const datagram = buildRtp({
      payloadType: this.payloadType,
      sequenceNumber: this.#sequenceNumber,
      timestamp: this.#timestamp,
      ssrc: this.ssrc,
      marker: this.#marker,
      payload,
    });
    this.#marker = false;
    this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + samples) >>> 0;
    return datagram;
  }

  /**
   * Time passed without packets (hold, mute, silence): the timestamp jumps
   * so the receiver's playout keeps real time, and the next packet starts a
   * talkspurt (marker), which tells its jitter buffer to resynchronise.
   */
  gap(samples: number): void {
    this.#timestamp = (this.#timestamp + Math.max(0, Math.round(samples))) >>> 0;
    this.#marker = true;
  }
}
