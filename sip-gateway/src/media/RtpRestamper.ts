/**
 * One continuous RTP stream to a SIP video terminal across main-view
 * switches. The terminal's picture comes from one source at a time — the
 * transcoder's output, or a forwarded H.264 consumer — each with its own
 * sequence numbers and timestamps. Sent on as they come, a switch makes the
 * numbering jump: a receiver whose jitter buffer expects the next number
 * takes every packet numbered "before" it as late and drops it (baresip's
 * does: "dropping … (Connection timed out)"), which for half of all switches
 * means no picture for up to 32,768 packets. Each new source is therefore
 * offset to continue where the previous one stopped: the next sequence
 * number, and a timestamp one frame later.
 */

/** One frame at 30 fps in H.264's 90 kHz clock. */
const FRAME_TICKS = 3_000;

export class RtpRestamper {
  #source: string | null = null;
  #seqOffset = 0;
  #tsOffset = 0;
  /** The newest sequence number and its timestamp sent so far. */
  #lastSeq: number | null = null;
  #lastTs = 0;

  /** Rewrites the packet's sequence number and timestamp in place; `source` names where it came from. */
  restamp(packet: Buffer, source: string): void {
    if (packet.length < 12) return;
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    if (source !== this.#source) {
      this.#source = source;
      if (this.#lastSeq === null) {
        this.#seqOffset = 0;
        this.#tsOffset = 0;
      } else {
        this.#seqOffset = (this.#lastSeq + 1 - seq) & 0xffff;
        this.#tsOffset = (this.#lastTs + FRAME_TICKS - ts) >>> 0;
      }
    }
    const outSeq = (seq + this.#seqOffset) & 0xffff;
    const outTs = (ts + this.#tsOffset) >>> 0;
    packet.writeUInt16BE(outSeq, 2);
    packet.writeUInt32BE(outTs, 4);
    if (this.#lastSeq === null || isNewer(outSeq, this.#lastSeq)) {
      this.#lastSeq = outSeq;
      this.#lastTs = outTs;
    }
  }
}

/** RFC 3550 sequence arithmetic: `a` comes after `b` (modulo 2^16). */
function isNewer(a: number, b: number): boolean {
  const diff = (a - b) & 0xffff;
  return diff !== 0 && diff < 0x8000;
}
