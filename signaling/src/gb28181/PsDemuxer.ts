/**
 * MPEG-2 program stream (ISO/IEC 13818-1 §2.5) as GB/T 28181 devices send it
 * over RTP: per frame a pack header (00 00 01 BA), on key frames a system
 * header (BB) and the program stream map (BC) naming each stream's type, then
 * the frame as one or more video PES packets (E0) and audio PES (C0).
 *
 * Written here rather than taken from npm: the registry has TS demuxers (mux.js
 * reads transport streams for HLS) but no maintained program-stream reader, and
 * what is needed is small — walk units by their start codes and lengths, keep
 * the video PES payloads of one PTS together as an access unit.
 *
 * Robustness: RTP may lose a packet in the middle of a pack. The caller says so
 * with `discontinuity()`; the demuxer drops the frame in progress and skips to
 * the next pack header. Bytes that break the structure are skipped the same way
 * (counted in `resyncs`). The buffer never holds more than `maxBufferBytes`.
 * A map that declares H.265 (or any video that is not H.264) throws
 * `codec_unsupported`: the browser path carries H.264 only.
 */
import { GbError } from './GbError.ts';

export interface AccessUnit {
  /** 90 kHz presentation time from the PES header; null when the PES had none. */
  pts: number | null;
  /** Annex B elementary stream bytes of one frame (start codes included). */
  data: Buffer;
}

/** PSM stream_type values (ISO/IEC 13818-1 table 2-34 and GB/T 28181 annex C). */
export const STREAM_TYPES: Record<number, string> = {
  2: 'MPEG-2 video',
  16: 'MPEG-4 video',
  27: 'H.264',
  36: 'H.265',
  128: 'SVAC video',
  15: 'AAC',
  144: 'G.711A',
  145: 'G.711U',
  146: 'G.722.1',
  147: 'G.723.1',
  153: 'G.729',
  155: 'SVAC audio',
};

const H264 = 0x1b;
const PACK = 0xba;

export class PsDemuxer {
  /** Times the stream broke its structure and the demuxer skipped to the next pack. */
  resyncs = 0;
  /** The video stream type the last map named (0x1B until a map says otherwise). */
  videoStreamType = H264;
  #buffer: Buffer = Buffer.alloc(0);
  #synced = false;
  #frame: Buffer[] = [];
  #framePts: number | null = null;
  readonly #onAccessUnit: (unit: AccessUnit) => void;
  readonly #maxBufferBytes: number;

  constructor(onAccessUnit: (unit: AccessUnit) => void, opts: { maxBufferBytes?: number } = {}) {
    this.#onAccessUnit = onAccessUnit;
    this.#maxBufferBytes = opts.maxBufferBytes ?? 4 * 1024 * 1024;
  }

  /** Feeds program-stream bytes (one RTP payload, in order). Throws only `codec_unsupported`. */
  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (this.#buffer.length > this.#maxBufferBytes) this.#resync();
    this.#parse();
  }

  /** Bytes were lost (an RTP sequence gap): the frame in progress is broken, wait for the next pack. */
  discontinuity(): void {
    this.#frame = [];
    this.#framePts = null;
    this.#buffer = Buffer.alloc(0);
    this.#synced = false;
  }

  /** Emits the frame in progress (the RTP marker said it is complete). */
  flush(): void {
    if (this.#frame.length === 0) return;
    const unit = { pts: this.#framePts, data: Buffer.concat(this.#frame) };
    this.#frame = [];
    this.#framePts = null;
    this.#onAccessUnit(unit);
  }

  #resync(): void {
    this.resyncs += 1;
    this.discontinuity();
  }

  #parse(): void {
    let offset = 0;
    const buf = this.#buffer;
    for (;;) {
      if (!this.#synced) {
        const pack = findPack(buf, offset);
        if (pack < 0) {
          // Keep the last 3 bytes: a start code may straddle two chunks.
          offset = Math.max(offset, buf.length - 3);
          break;
        }
        offset = pack;
        this.#synced = true;
      }
      if (buf.length - offset < 6) break;
      if (buf[offset] !== 0 || buf[offset + 1] !== 0 || buf[offset + 2] !== 1) {
        this.#resync();
        return;
      }
      const id = buf[offset + 3] as number;
      const size = this.#unitSize(buf, offset, id);
      if (size === null) break;
      if (size < 0) {
        this.#resync();
        return;
      }
      if (id >= 0xe0 && id <= 0xef) this.#videoPes(buf.subarray(offset, offset + size));
      else if (id === 0xbc) this.#streamMap(buf.subarray(offset, offset + size));
      offset += size;
    }
    this.#buffer = offset >= buf.length ? Buffer.alloc(0) : buf.subarray(offset);
  }

  /** The unit's size in bytes; null when more bytes are needed; -1 when the bytes cannot be a unit. */
  #unitSize(buf: Buffer, offset: number, id: number): number | null {
    if (id === PACK) {
      if (buf.length - offset < 14) return null;
      // MPEG-2 pack headers start their SCR with '01'; MPEG-1 ('0010') is not what GB/T 28181 sends.
      if (((buf[offset + 4] as number) & 0xc0) !== 0x40) return -1;
      const size = 14 + ((buf[offset + 13] as number) & 0x07);
      return buf.length - offset < size ? null : size;
    }
    if (id === 0xb9) return 4;
    // Every other unit we accept (system header, map, PES of any stream) carries a 16-bit length.
    if (id < 0xbb) return -1;
    const size = 6 + buf.readUInt16BE(offset + 4);
    return buf.length - offset < size ? null : size;
  }

  #videoPes(pes: Buffer): void {
    // MPEG-2 PES: '10' marker, flags, header length, then optional fields (PTS first).
    if (pes.length < 9 || ((pes[6] as number) & 0xc0) !== 0x80) {
      this.#resync();
      return;
    }
    const headerEnd = 9 + (pes[8] as number);
    if (headerEnd > pes.length) {
      this.#resync();
      return;
    }
    const pts = (pes[7] as number) & 0x80 ? readPts(pes, 9) : null;
    if (pts !== null && this.#framePts !== null && pts !== this.#framePts) this.flush();
    if (pts !== null) this.#framePts = pts;
    const payload = pes.subarray(headerEnd);
    if (payload.length > 0) this.#frame.push(Buffer.from(payload));
  }

  #streamMap(psm: Buffer): void {
    // 6 bytes start code + length, 2 flag bytes, 2 bytes info length, info, 2 bytes map length, entries, CRC.
    if (psm.length < 16) return;
    const infoLength = psm.readUInt16BE(8);
    let at = 10 + infoLength;
    if (at + 2 > psm.length) return;
    const mapEnd = Math.min(at + 2 + psm.readUInt16BE(at), psm.length - 4);
    at += 2;
    while (at + 4 <= mapEnd) {
      const streamType = psm[at] as number;
      const streamId = psm[at + 1] as number;
      if (streamId >= 0xe0 && streamId <= 0xef) {
        this.videoStreamType = streamType;
        if (streamType !== H264) {
          const name = STREAM_TYPES[streamType] ?? `stream type 0x${streamType.toString(16)}`;
          throw new GbError('codec_unsupported', `the camera sends ${name}; browsers are given H.264 only`);
        }
      }
      at += 4 + psm.readUInt16BE(at + 2);
    }
  }
}

function findPack(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(0x01, from + 2); i >= 0 && i + 1 < buf.length; i = buf.indexOf(0x01, i + 1)) {
    if (buf[i - 1] === 0 && buf[i - 2] === 0 && buf[i + 1] === PACK) return i - 2;
  }
  return -1;
}

/** The 33-bit PTS of a PES header (5 bytes with marker bits), as a number. */
function readPts(pes: Buffer, at: number): number | null {
  if (at + 5 > pes.length) return null;
  const b = (i: number) => pes[at + i] as number;
  return ((b(0) >> 1) & 0x07) * 2 ** 30 + ((b(1) << 7) | (b(2) >> 1)) * 2 ** 15 + ((b(3) << 7) | (b(4) >> 1));
}
