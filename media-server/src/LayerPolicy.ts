/**
 * Which spatial layer a simulcast video consumer should receive: a pure
 * state machine (no timers, no mediasoup) so it can be tested with invented
 * clocks. `SimulcastLayers` drives it from a real consumer.
 *
 *   preferred = min(cap, lossLimit)
 *
 * - cap: what the receiver asked for (tile size, weak-link setting).
 * - lossLimit: lowered by one layer when the receiver reports loss (consumer
 *   score < 7, from its RTCP receiver reports), at most once per 2 s so one
 *   burst does not drop straight to the bottom layer before the lower layer's
 *   effect shows in the next reports; raised by one after 10 s of continuous
 *   good score (>= 9), so a recovered link climbs back slowly instead of
 *   oscillating. Once raised back to the cap it stops limiting (null), so a
 *   larger cap later (tile enlarged) applies at once.
 *
 *   score < 7, 2 s since last drop        score >= 9 for `raiseWait`
 *   ----------------------------->        ---------------------->
 *   lossLimit = preferred - 1             lossLimit += 1 (null at cap)
 *
 * A raise that fails (a drop within `failedRaiseWindowMs` of it) multiplies
 * the wait before the next raise by `raiseBackoff` (up to `maxRaiseAfterMs`):
 * on a township link that carries layer 0 but not layer 1 (300 kbit/s),
 * probing every 10 s would overfill the link's queue again and again — the
 * bandwidth estimate does not stop it, since a full drop-tail queue adds no
 * more delay and random loss of a few percent reads as "hold". After a raise
 * holds for `raiseHeldMs` the wait is back to `raiseAfterMs`.
 */

import { ProbeWait, type ProbeWaitOptions } from './ProbeWait.ts';

export interface LayerPolicyOptions extends ProbeWaitOptions {
  /** Scores below this lower the loss limit. */
  lowerBelowScore: number;
  /** Scores at or above this count as good for raising. */
  raiseAtScore: number;
  /** Minimum time between two drops. */
  lowerIntervalMs: number;
  /** A drop this soon after a raise means the raise failed. */
  failedRaiseWindowMs: number;
  /** A raise that held this long resets the wait to raiseAfterMs. */
  raiseHeldMs: number;
}

export const DEFAULT_LAYER_POLICY: LayerPolicyOptions = {
  lowerBelowScore: 7,
  raiseAtScore: 9,
  lowerIntervalMs: 2_000,
  raiseAfterMs: 10_000,
  failedRaiseWindowMs: 15_000,
  raiseBackoff: 4,
  maxRaiseAfterMs: 300_000,
  raiseHeldMs: 60_000,
};

export class LayerPolicy {
  /** Highest spatial layer the producer sends. */
  readonly maxLayer: number;
  readonly #options: LayerPolicyOptions;
  #cap: number;
  /** null: the link is not limiting. */
  #lossLimit: number | null = null;
  #lastScore: number | null = null;
  #lastLowerAt = Number.NEGATIVE_INFINITY;
  /** Start of the current run of good scores, or null outside one. */
  #goodSince: number | null = null;
  #lastRaiseAt = Number.NEGATIVE_INFINITY;
  /** The good-score run the next raise needs. */
  readonly #raiseWait: ProbeWait;

  constructor(maxLayer: number, options: Partial<LayerPolicyOptions> = {}) {
    if (!Number.isInteger(maxLayer) || maxLayer < 0) throw new TypeError(`invalid maxLayer ${maxLayer}`);
    this.maxLayer = maxLayer;
    this.#options = { ...DEFAULT_LAYER_POLICY, ...options };
    this.#cap = maxLayer;
    this.#raiseWait = new ProbeWait(this.#options);
  }

  /** The good-score run the next raise needs (grows after failed raises). */
  get raiseWaitMs(): number {
    return this.#raiseWait.ms;
  }

  get preferred(): number {
    return this.#lossLimit === null ? this.#cap : Math.min(this.#cap, this.#lossLimit);
  }

  get cap(): number {
    return this.#cap;
  }

  get lossLimit(): number | null {
    return this.#lossLimit;
  }

  /** The receiver's cap, clamped to the layers that exist. Returns the preferred layer. */
  setCap(spatialLayer: number): number {
    if (!Number.isInteger(spatialLayer) || spatialLayer < 0) {
      throw new TypeError(`invalid spatialLayer ${spatialLayer}`);
    }
    this.#cap = Math.min(spatialLayer, this.maxLayer);
    return this.preferred;
  }

  /**
   * A score sample from the consumer (0-10) at time `now` (ms). `current`: the
   * layer mediasoup forwards right now, when known (it may be below the
   * preferred one: the bandwidth estimate chose it); a drop then goes below
   * what is actually sent, not below a layer that was never reached.
   * Returns the preferred layer.
   */
  onScore(score: number, now: number, current?: number | null): number {
    this.#lastScore = score;
    return this.tick(now, current);
  }

  /**
   * Re-evaluates with the last score still holding at `now`. mediasoup emits
   * `score` only when it changes, so a steady good link produces no samples:
   * the driver calls this at `nextEvaluationAt()`.
   */
  tick(now: number, current?: number | null): number {
    const score = this.#lastScore;
    if (score === null) return this.preferred;
    const o = this.#options;
    if (score < o.lowerBelowScore) {
      this.#goodSince = null;
      const from = current === undefined || current === null ? this.preferred : Math.min(this.preferred, current);
      if (now - this.#lastLowerAt >= o.lowerIntervalMs && from > 0) {
        this.#lossLimit = from - 1;
        this.#lastLowerAt = now;
        if (now - this.#lastRaiseAt <= o.failedRaiseWindowMs) this.#raiseWait.failed();
      }
    } else if (score < o.raiseAtScore && this.#onProbation(now)) {
      // A fresh raise must prove itself with good scores only: a dip below "good" within the failed-raise
      // window sends it back at once (and backs off), where a merely "not bad" score would let a layer
      // the link cannot carry stay (NACK repairs hide the loss from the score; the frames still stall).
      this.#goodSince = null;
      this.#lossLimit = Math.max(0, this.preferred - 1);
      this.#lastLowerAt = now;
      this.#raiseWait.failed();
    } else if (score >= o.raiseAtScore) {
      this.#goodSince ??= now;
      if (this.#lastRaiseAt > this.#lastLowerAt && now - this.#lastRaiseAt >= o.raiseHeldMs) this.#raiseWait.held();
      if (this.#lossLimit !== null && now - this.#goodSince >= this.#raiseWait.ms) {
        const raised = this.#lossLimit + 1;
        // Back at the cap the limit goes away — unless raises have failed lately (a weak link): then a
        // larger cap later (the tile becomes the main view) must climb too, not jump to a layer that
        // overfilled the link a minute ago.
        const weakLink = this.#raiseWait.backedOff;
        this.#lossLimit = raised >= this.maxLayer || (raised >= this.#cap && !weakLink) ? null : raised;
        this.#lastRaiseAt = now;
        // The next step needs its own full run of good scores.
        this.#goodSince = now;
      }
    } else {
      this.#goodSince = null;
    }
    return this.preferred;
  }

  /** Within the failed-raise window of a raise that no drop has answered yet. */
  #onProbation(now: number): boolean {
    return this.#lastRaiseAt > this.#lastLowerAt && now - this.#lastRaiseAt <= this.#options.failedRaiseWindowMs;
  }

  /** When `tick` could next change the outcome without a new sample, or null. */
  nextEvaluationAt(): number | null {
    const score = this.#lastScore;
    if (score === null) return null;
    if (score < this.#options.lowerBelowScore) {
      return this.preferred > 0 ? this.#lastLowerAt + this.#options.lowerIntervalMs : null;
    }
    if (this.#goodSince !== null && this.#lossLimit !== null) return this.#goodSince + this.#raiseWait.ms;
    return null;
  }
}
