/**
 * A fixed-delay jitter buffer for one RTP stream of 20 ms packets, ordered
 * by sequence number (so it works for any codec and does not care about
 * timestamp jumps from silence suppression).
 *
 * Playout starts once `targetFrames` consecutive sequence numbers are
 * covered (received or known missing); an underrun (nothing buffered)
 * stops playout until the buffer refills to target, which is how the delay
 * grows when the network's jitter does. A gap with later packets behind it
 * is a loss: the slot is skipped at once.
 */
import type { RtpPacket } from './rtp.ts';

export interface JitterBufferOptions {
  /** Frames buffered before playout starts. Default 3 (60 ms). */
  targetFrames?: number;
  /** Most frames held; a packet further ahead pushes the oldest out. Default 25 (500 ms). */
  maxFrames?: number;
}

export interface JitterBufferStats {
  received: number;
  /** Frames skipped because their packet never came in time. */
  lost: number;
  /** Packets that arrived after their frame was played or skipped. */
  late: number;
  duplicates: number;
  /** Buffered frames thrown away because the sender ran too far ahead. */
  overflow: number;
  /** Restarts: SSRC change or a sequence jump too big to be reordering. */
  resyncs: number;
}

/** Sequence distance beyond which a packet means a new stream, not reordering. */
const RESYNC_DISTANCE = 100;

function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

export class JitterBuffer {
  readonly #target: number;
  readonly #max: number;
  /** Slot mask: a power of two ≥ #max divides 65536, so sequence wrap-around never aliases two live frames. */
  readonly #mask: number;
  readonly #slots: (Buffer | null)[];
  readonly #slotSeq: Int32Array;
  #ssrc = -1;
  /** Sequence number of the next frame to play; -1 before the first packet. */
  #next = -1;
  /** Highest sequence number received since the last restart. */
  #highest = 0;
  #playing = false;
  readonly stats: JitterBufferStats = { received: 0, lost: 0, late: 0, duplicates: 0, overflow: 0, resyncs: 0 };

  constructor(opts: JitterBufferOptions = {}) {
    this.#max = Math.max(1, opts.maxFrames ?? 25);
    this.#target = Math.min(this.#max, Math.max(1, opts.targetFrames ?? 3));
    const capacity = 2 ** Math.ceil(Math.log2(this.#max));
    this.#mask = capacity - 1;
    this.#slots = new Array(capacity).fill(null);
    this.#slotSeq = new Int32Array(capacity).fill(-1);
  }

  /** Frames from the next to play up to the highest received, missing ones included. */
  get depth(): number {
    return this.#next < 0 ? 0 : Math.max(0, seqDiff(this.#highest, this.#next) + 1);
  }

  push(packet: RtpPacket): void {
    this.stats.received++;
    const seq = packet.sequenceNumber;
    if (this.#next < 0 || packet.ssrc !== this.#ssrc) {
      if (this.#next >= 0) this.stats.resyncs++;
      this.#restart(packet);
      return;
    }
    const ahead = seqDiff(seq, this.#next);
    if (ahead < -RESYNC_DISTANCE || ahead >= this.#max + RESYNC_DISTANCE) {
      this.stats.resyncs++;
      this.#restart(packet);
      return;
    }
    if (ahead < 0) {
      this.stats.late++;
      return;
    }
    if (ahead >= this.#max) this.#dropUntil((seq - this.#max + 1) & 0xffff);
    const slot = seq & this.#mask;
    if (this.#slotSeq[slot] === seq) {
      this.stats.duplicates++;
      return;
    }
    this.#slots[slot] = packet.payload;
    this.#slotSeq[slot] = seq;
    if (seqDiff(seq, this.#highest) > 0) this.#highest = seq;
  }

  pop(): Buffer | null {
    if (this.#next < 0) return null;
    if (!this.#playing) {
      if (this.depth < this.#target) return null;
      this.#playing = true;
    }
    if (this.depth === 0) {
      this.#playing = false;
      return null;
    }
    const slot = this.#next & this.#mask;
    let payload: Buffer | null = null;
    if (this.#slotSeq[slot] === this.#next) {
      payload = this.#slots[slot] ?? null;
      this.#slots[slot] = null;
      this.#slotSeq[slot] = -1;
    } else {
      this.stats.lost++;
    }
    this.#next = (this.#next + 1) & 0xffff;
    return payload;
  }

  reset(): void {
    this.#slots.fill(null);
    this.#slotSeq.fill(-1);
    this.#next = -1;
    this.#ssrc = -1;
    this.#playing = false;
  }

  #restart(packet: RtpPacket): void {
    this.reset();
    this.#ssrc = packet.ssrc;
    this.#next = packet.sequenceNumber;
    this.#highest = packet.sequenceNumber;
    const slot = packet.sequenceNumber & this.#mask;
    this.#slots[slot] = packet.payload;
    this.#slotSeq[slot] = packet.sequenceNumber;
  }

  /** Advances playout to `seq`, discarding what lies before it. */
  #dropUntil(seq: number): void {
    while (this.#next !== seq) {
      const slot = this.#next & this.#mask;
      if (this.#slotSeq[slot] === this.#next) {
        this.stats.overflow++;
        this.#slots[slot] = null;
        this.#slotSeq[slot] = -1;
      } else {
        this.stats.lost++;
      }
      this.#next = (this.#next + 1) & 0xffff;
    }
  }
}
