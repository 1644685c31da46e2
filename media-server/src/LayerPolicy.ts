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
 *   score < 7, 2 s since last drop        score >= 9 for 10 s
 *   ----------------------------->        ---------------------->
 *   lossLimit = preferred - 1             lossLimit += 1 (null at cap)
 */

export interface LayerPolicyOptions {
  /** Scores below this lower the loss limit. */
  lowerBelowScore: number;
  /** Scores at or above this count as good for raising. */
  raiseAtScore: number;
  /** Minimum time between two drops. */
  lowerIntervalMs: number;
  /** Continuous good score needed for one step up. */
  raiseAfterMs: number;
}

export const DEFAULT_LAYER_POLICY: LayerPolicyOptions = {
  lowerBelowScore: 7,
  raiseAtScore: 9,
  lowerIntervalMs: 2_000,
  raiseAfterMs: 10_000,
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

  constructor(maxLayer: number, options: Partial<LayerPolicyOptions> = {}) {
    if (!Number.isInteger(maxLayer) || maxLayer < 0) throw new TypeError(`invalid maxLayer ${maxLayer}`);
    this.maxLayer = maxLayer;
    this.#options = { ...DEFAULT_LAYER_POLICY, ...options };
    this.#cap = maxLayer;
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

  /** A score sample from the consumer (0-10) at time `now` (ms). Returns the preferred layer. */
  onScore(score: number, now: number): number {
    this.#lastScore = score;
    return this.tick(now);
  }

  /**
   * Re-evaluates with the last score still holding at `now`. mediasoup emits
   * `score` only when it changes, so a steady good link produces no samples:
   * the driver calls this at `nextEvaluationAt()`.
   */
  tick(now: number): number {
    const score = this.#lastScore;
    if (score === null) return this.preferred;
    const { lowerBelowScore, raiseAtScore, lowerIntervalMs, raiseAfterMs } = this.#options;
    if (score < lowerBelowScore) {
      this.#goodSince = null;
      if (now - this.#lastLowerAt >= lowerIntervalMs && this.preferred > 0) {
        this.#lossLimit = this.preferred - 1;
        this.#lastLowerAt = now;
      }
    } else if (score >= raiseAtScore) {
      this.#goodSince ??= now;
      if (this.#lossLimit !== null && now - this.#goodSince >= raiseAfterMs) {
        const raised = this.#lossLimit + 1;
        this.#lossLimit = raised >= this.#cap ? null : raised;
        // The next step needs its own full run of good scores.
        this.#goodSince = now;
      }
    } else {
      this.#goodSince = null;
    }
    return this.preferred;
  }

  /** When `tick` could next change the outcome without a new sample, or null. */
  nextEvaluationAt(): number | null {
    const score = this.#lastScore;
    if (score === null) return null;
    if (score < this.#options.lowerBelowScore) {
      return this.preferred > 0 ? this.#lastLowerAt + this.#options.lowerIntervalMs : null;
    }
    if (this.#goodSince !== null && this.#lossLimit !== null) return this.#goodSince + this.#options.raiseAfterMs;
    return null;
  }
}
