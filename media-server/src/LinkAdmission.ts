/**
 * Which video consumers of one limited receive link get any video at all: a
 * pure state machine (no timers, no mediasoup) so it can be tested with
 * invented clocks. `LinkBudgets` drives it once a second while the link's
 * receive budget limits it, and pauses the consumers it holds back.
 *
 * Why not leave it to mediasoup: under a limit mediasoup gives each consumer
 * its lowest layer in priority order while its bandwidth estimate has room,
 * and that estimate moves by tens of kbit/s from one second to the next on
 * a township link. With four 130–160 kbit/s tiles into 300 kbit/s, the tile
 * that fits changes every few seconds: each one freezes, waits for a key
 * frame, shows a few frames and freezes again, and no tile is ever steadily
 * "held back". A leader sees flicker instead of a clear "weak link" notice.
 *
 * Here a tile is held back only after it did not fit for `holdAfterSamples`
 * samples running, stays held for at least `minHoldMs`, and comes back only
 * when it fits with `releaseMargin` to spare, one tile per sample — so the
 * estimate can show the new load before the next tile is let in.
 *
 *              does not fit for holdAfterSamples
 *   ┌──────────┐ ─────────────────────────────────▶ ┌──────┐
 *   │ admitted │                                    │ held │
 *   └──────────┘ ◀───────────────────────────────── └──────┘
 *          held ≥ minHoldMs and fits × releaseMargin (one per sample),
 *          or the link is no longer limited
 *
 * The video first in line (the main view) is never held back here: it gets
 * the room first, and if even its lowest layer does not fit, mediasoup's own
 * allocation and the "no layer" notice speak for it.
 */

export interface LinkAdmissionOptions {
  /** Samples running in which a tile did not fit before it is held back. */
  holdAfterSamples: number;
  /** A held tile stays held at least this long (ms). */
  minHoldMs: number;
  /** A held tile comes back when its lowest layer × this fits. */
  releaseMargin: number;
}

export const DEFAULT_LINK_ADMISSION: LinkAdmissionOptions = {
  holdAfterSamples: 3,
  minHoldMs: 10_000,
  releaseMargin: 1.25,
};

/** A video consumer of the link: the layer its receiver asked for and its producer's stream bitrates. */
export interface AdmissionVideo {
  consumerId: string;
  cap: number;
  /** Bits/s by spatial layer (index 0 the lowest). */
  streams: number[];
}

export interface AdmissionDecision {
  /** In the order the room is shared out; what LinkBudgets limits layers for. */
  admitted: AdmissionVideo[];
  /** Newly held back: pause them. */
  hold: string[];
  /** Newly let back in: resume them. */
  release: string[];
}

export class LinkAdmission {
  readonly #options: LinkAdmissionOptions;
  /** Held back consumers: since when (ms). */
  readonly #held = new Map<string, number>();
  /** Admitted consumers that did not fit: samples running. */
  readonly #misfits = new Map<string, number>();

  constructor(options: Partial<LinkAdmissionOptions> = {}) {
    this.#options = { ...DEFAULT_LINK_ADMISSION, ...options };
  }

  holds(consumerId: string): boolean {
    return this.#held.has(consumerId);
  }

  /** The consumer is gone, or its receiver paused it: it is no longer ours to hold or let back. */
  forget(consumerId: string): void {
    this.#held.delete(consumerId);
    this.#misfits.delete(consumerId);
  }

  /** The link is no longer limited: every held tile comes back at once. Returns them. */
  releaseAll(): string[] {
    const released = [...this.#held.keys()];
    this.#held.clear();
    this.#misfits.clear();
    return released;
  }

  /**
   * Shares `room` (bits/s for video) out in priority order: highest asked-for
   * layer first (the main view), admitted tiles before held ones, then a fixed
   * order, so the same tiles keep their place from one second to the next.
   * `releaseRoom` (default `room`) is what a held tile may come back into:
   * while the budget probes a raise, the room the probe made, so that the
   * tiles it was made for use it (a probe nobody uses is undone).
   */
  decide(videos: AdmissionVideo[], room: number, now: number, releaseRoom = room): AdmissionDecision {
    const o = this.#options;
    const ordered = [...videos].sort(
      (a, b) =>
        b.cap - a.cap ||
        Number(this.#held.has(a.consumerId)) - Number(this.#held.has(b.consumerId)) ||
        (a.consumerId < b.consumerId ? -1 : a.consumerId > b.consumerId ? 1 : 0),
    );
    const decision: AdmissionDecision = { admitted: [], hold: [], release: [] };
    let left = Math.max(0, room);
    let releaseLeft = Math.max(0, releaseRoom);
    // Each admitted video counts at its lowest layer, as mediasoup's allocation gives every consumer its first
    // layer before anyone's second: a main view climbing to 640 px must not push a township's tile off the link.
    const take = (video: AdmissionVideo) => {
      decision.admitted.push(video);
      left = Math.max(0, left - (video.streams[0] ?? 0));
      releaseLeft = Math.max(0, releaseLeft - (video.streams[0] ?? 0));
    };
    for (const [index, video] of ordered.entries()) {
      const id = video.consumerId;
      const need = video.streams[0] ?? 0;
      const heldSince = this.#held.get(id);
      if (heldSince !== undefined) {
        const mayReturn = decision.release.length === 0 && now - heldSince >= o.minHoldMs;
        if (mayReturn && need * o.releaseMargin <= releaseLeft) {
          this.#held.delete(id);
          decision.release.push(id);
          take(video);
        }
        continue;
      }
      // Nothing known of its bitrate yet (no stats): it cannot be weighed, so it is not held.
      if (index === 0 || need <= 0 || need <= left) {
        this.#misfits.delete(id);
        take(video);
        continue;
      }
      const misses = (this.#misfits.get(id) ?? 0) + 1;
      if (misses < o.holdAfterSamples) {
        this.#misfits.set(id, misses);
        take(video);
        continue;
      }
      this.#misfits.delete(id);
      this.#held.set(id, now);
      decision.hold.push(id);
    }
    for (const id of this.#misfits.keys()) if (!videos.some((v) => v.consumerId === id)) this.#misfits.delete(id);
    return decision;
  }
}

/** The highest spatial layer up to the cap whose bitrate fits `left`; 0 when none does. */
export function fittingLayer(video: AdmissionVideo, left: number): number {
  for (let layer = Math.min(video.cap, video.streams.length - 1); layer >= 0; layer--) {
    const bitrate = video.streams[layer] ?? 0;
    if (bitrate > 0 && bitrate <= left) return layer;
  }
  return 0;
}
