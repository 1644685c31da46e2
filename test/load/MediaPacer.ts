/**
 * One clock for every participant's uplink: each 20 ms tick sends one PCMU
 * packet per registered sender, like N phones talking at once. A single
 * timer instead of N keeps the generator's own overhead low enough that the
 * server, not the generator, is what a run measures.
 *
 * Node timers fire late under load; the pacer counts packets against the
 * wall clock, so a late tick sends the packets that fell due (real pace on
 * average). A stall longer than MAX_BURST ticks is not replayed as a burst:
 * those packets are skipped and the RTP timestamp jumps (`gap`), as a phone
 * that lost audio would do.
 */
import { FRAME_MS } from '../../sip-gateway/src/media/audioFrame.ts';

/** Late ticks are caught up with at most this many packets per sender at once. */
export const MAX_BURST = 3;

export interface PacedSender {
  /** Sends one 20 ms packet. */
  sendFrame(): void;
  /** `frames` 20 ms frames were skipped: advance the RTP timestamp, mark the next packet. */
  skipFrames(frames: number): void;
}

/** How many frames are due after `elapsedMs`, given `sent` so far: send `send`, skip `skip`. */
export function framesDue(
  elapsedMs: number,
  sent: number,
  frameMs = FRAME_MS,
  maxBurst = MAX_BURST,
): { send: number; skip: number } {
  const due = Math.floor(elapsedMs / frameMs) + 1 - sent;
  if (due <= 0) return { send: 0, skip: 0 };
  const send = Math.min(due, maxBurst);
  return { send, skip: due - send };
}

export class MediaPacer {
  readonly #senders = new Set<PacedSender>();
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #frames = 0;

  add(sender: PacedSender): void {
    this.#senders.add(sender);
    if (!this.#timer) this.#start();
  }

  delete(sender: PacedSender): void {
    this.#senders.delete(sender);
    if (this.#senders.size === 0) this.stop();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #start(): void {
    this.#startedAt = performance.now();
    this.#frames = 0;
    this.#tick();
  }

  #tick = (): void => {
    const { send, skip } = framesDue(performance.now() - this.#startedAt, this.#frames);
    for (const sender of this.#senders) {
      if (skip > 0) sender.skipFrames(skip);
      for (let i = 0; i < send; i++) sender.sendFrame();
    }
    this.#frames += send + skip;
    const nextDueMs = this.#startedAt + this.#frames * FRAME_MS;
    this.#timer = setTimeout(this.#tick, Math.max(0, nextDueMs - performance.now()));
  };
}
