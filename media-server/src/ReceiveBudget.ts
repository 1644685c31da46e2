/**
 * How many bits per second one receiver's link can take, learnt from what it
 * actually delivers: a pure state machine (no timers, no mediasoup) so it can
 * be tested with invented clocks. `LinkBudgets` drives it once a second from
 * the receive transport's stats and applies the budget with
 * `setMaxOutgoingBitrate`; mediasoup then shares the budget among the video
 * consumers by priority (main view first), layer by layer, and a consumer
 * that does not fit gets no layer at all (its tile shows "paused: weak link").
 *
 * Why not mediasoup's own bandwidth estimate or the consumer scores: on a
 * township WAN (300 kbit/s, drop-tail queue, a few % random loss) neither
 * sees an overfilled link — NACK repairs hide the drops from the score, a
 * full queue adds no more delay, and random loss reads as "hold". The
 * link's loss (LinkBudgets reads it from the receiver's RTCP reports:
 * every packet the browser never got, retransmissions not counted as
 * repaired) does: a few % on a healthy weak link, tens of % when overfilled.
 *
 *            congested (at most every lowerIntervalMs)
 *   ┌──────┐ ───────────────────────────────────────────────▶ ┌─────────┐
 *   │ none │   budget = delivered (= sent × (1 − loss)) × margin │ limited │ ◀─┐ congested:
 *   └──────┘ ◀─────────────────────────────────────────────── └─────────┘ ──┘ lower again; a raise that
 *             not limiting (budget ≥ demand) and clean for liftAfterMs   │ ▲    failed: wait × raiseBackoff
 *                                                                        └─┘ not congested for raiseWait and
 *                                                                            demand > budget: × raiseFactor
 *
 * Congested: loss over the line in two samples running, or >= severeLoss in
 * one. The line is congestedLoss, or twice the link's usual loss (the median
 * of the last `baselineSamples` under the line) when that is higher: a link
 * with 5 % of random loss is not overfilled at 9 %. The loss is over the receiver's last RTCP report
 * (about a second, ~50-100 packets on a township link), so 3 %
 * of random loss reads 0-9 % from one second to the next: one sample over
 * the line is noise, and lowering on it ratchets the budget down for
 * nothing. Any sample over the line still restarts the clean run a raise
 * needs. An overfilled link reads 30-60 % for seconds on end.
 *
 * Raises are probes, one at a time: for failedRaiseWindowMs after a raise,
 * congestion means it failed — the budget goes down and the next wait is
 * raiseBackoff× longer (10 s → 40 s → 160 s, at most maxRaiseAfterMs). A
 * probe whose room was used (more sent than the budget before it) and that
 * stayed clean is proven: the wait is back to raiseAfterMs. A probe nobody
 * used (the next layer needs more still, or the estimator was slow) is
 * undone and backs off too: left in place, the estimator could fill it with
 * a layer the link cannot carry at any later moment.
 */

import { ProbeWait, type ProbeWaitOptions } from './ProbeWait.ts';

export interface ReceiveBudgetOptions extends ProbeWaitOptions {
  /** Transport-wide loss (0-1) at or above this in two samples running means the link is overfilled. */
  congestedLoss: number;
  /** … and at or above this in one sample. */
  severeLoss: number;
  /** Samples kept for the link's usual loss (their median). */
  baselineSamples: number;
  /** Share of the delivered rate kept as the budget after congestion (drains the queue). */
  margin: number;
  /** Minimum time between two lowerings: the previous one must show in the loss first. */
  lowerIntervalMs: number;
  /** One raise multiplies the budget by this. */
  raiseFactor: number;
  /** A used raise that stays clean this long is proven. */
  failedRaiseWindowMs: number;
  /** Not limiting and clean this long: the budget goes away. */
  liftAfterMs: number;
  /** Never below this (bits/s; mediasoup refuses less than 30 000). */
  floorBitrate: number;
}

export const DEFAULT_RECEIVE_BUDGET: ReceiveBudgetOptions = {
  congestedLoss: 0.08,
  severeLoss: 0.2,
  baselineSamples: 30,
  margin: 0.85,
  lowerIntervalMs: 3_000,
  raiseAfterMs: 10_000,
  raiseFactor: 1.5,
  failedRaiseWindowMs: 15_000,
  raiseBackoff: 4,
  maxRaiseAfterMs: 300_000,
  liftAfterMs: 60_000,
  floorBitrate: 30_000,
};

/** One stats sample of a receive transport. */
export interface DeliverySample {
  /** ms. */
  now: number;
  /** The receive link's loss 0-1 (from the receiver's RTCP reports); undefined before any feedback. */
  loss: number | undefined;
  /** Bits/s the server sent on the transport (media and retransmissions; not the estimator's padding). */
  sentBitrate: number;
  /** Bits/s the receiver's consumers would take unlimited (at the layers their receiver asked for). */
  demandBitrate: number;
  /**
   * Set only while no video gets through at all: bits/s that would carry the audio and the lowest layer of
   * the video first in line (the main view). The raise aims for it (see #raise).
   */
  firstLayerBitrate?: number;
}

export class ReceiveBudget {
  readonly #options: ReceiveBudgetOptions;
  /** null: not limited. */
  #budget: number | null = null;
  #lastLowerAt = Number.NEGATIVE_INFINITY;
  #lastRaiseAt = Number.NEGATIVE_INFINITY;
  /**
   * The probe in flight: the budget before it, or null. It is proven once
   * sending went past that budget and it stayed clean for
   * failedRaiseWindowMs; congestion before that is a failed probe.
   */
  #probationFrom: number | null = null;
  #probationUsed = false;
  #cleanSince: number | null = null;
  /** The previous sample was over the line. */
  #overLine = false;
  /** Sent bits/s of the last samples (the raise never goes past twice the most of them). */
  readonly #recentSent: number[] = [];
  readonly #recentLoss: number[] = [];
  /** The clean run the next raise needs. */
  readonly #raiseWait: ProbeWait;

  constructor(options: Partial<ReceiveBudgetOptions> = {}) {
    this.#options = { ...DEFAULT_RECEIVE_BUDGET, ...options };
    this.#raiseWait = new ProbeWait(this.#options);
  }

  /** Bits/s, or null when the link is not limiting. */
  get budget(): number | null {
    return this.#budget;
  }

  /**
   * Starts limited at the budget this link had last time (LinkMemory), before
   * any sample: the first consumers are sized to the link rather than to a
   * guess. From there it is any budget: lowered on congestion, raised after a
   * clean raiseAfterMs while the consumers want more, lifted once not limiting
   * and clean for liftAfterMs.
   */
  startFrom(budget: number): void {
    this.#budget = Math.max(this.#options.floorBitrate, Math.round(budget));
  }

  /** A raise is on probation: not yet proven by use, nor failed. */
  get probing(): boolean {
    return this.#probationFrom !== null;
  }

  get raiseWaitMs(): number {
    return this.#raiseWait.ms;
  }

  /** Feeds one sample; returns the budget (null: unlimited). */
  onSample(sample: DeliverySample): number | null {
    const o = this.#options;
    const { now, loss } = sample;
    if (loss === undefined || !Number.isFinite(loss)) return this.#budget;
    this.#recentSent.push(sample.sentBitrate);
    if (this.#recentSent.length > o.raiseAfterMs / 1_000) this.#recentSent.shift();
    if (this.#probationFrom !== null && sample.sentBitrate > this.#probationFrom) this.#probationUsed = true;
    if (loss >= this.#line()) {
      this.#cleanSince = null;
      const congested = this.#overLine || loss >= o.severeLoss;
      this.#overLine = true;
      if (congested && now - this.#lastLowerAt >= o.lowerIntervalMs) this.#lower(sample);
      return this.#budget;
    }
    this.#overLine = false;
    // Only samples under the line make the baseline: an overfilled spell must not raise its own line.
    this.#recentLoss.push(loss);
    if (this.#recentLoss.length > o.baselineSamples) this.#recentLoss.shift();
    this.#cleanSince ??= now;
    if (this.#budget === null) return null;
    if (this.#probationFrom !== null) {
      if (now - this.#lastRaiseAt <= o.failedRaiseWindowMs) return this.#budget;
      this.#endProbation();
    }
    const cleanFor = now - this.#cleanSince;
    if (sample.demandBitrate <= this.#budget) {
      if (cleanFor >= o.liftAfterMs) this.#budget = null;
      return this.#budget;
    }
    if (cleanFor >= this.#raiseWait.ms) this.#raise(sample, now);
    return this.#budget;
  }

  /**
   * One step up: room for what the consumers want (a bit over it), at most
   * raiseFactor × the budget and twice what was sent lately — the next layer
   * is often far above the budget, and mediasoup may take a while to use a
   * raise: unbounded steps would pile up into one large overfill.
   */
  #raise(sample: DeliverySample, now: number): void {
    const o = this.#options;
    const budget = this.#budget as number;
    let target = Math.round(
      Math.min(budget * o.raiseFactor, sample.demandBitrate * 1.1, 2 * Math.max(...this.#recentSent)),
    );
    // With every video held back only the audio is sent, and twice that is often no step at all; a step short
    // of the lowest layer is used by nobody and undone. Either way the budget would never climb again and the
    // receiver would stay without video on a link that recovered: probe for that first layer itself.
    const first = sample.firstLayerBitrate;
    if (first !== undefined && target < first * 1.1)
      target = Math.round(Math.min(first * 1.1, sample.demandBitrate * 1.1));
    if (target <= budget) return;
    this.#probationFrom = budget;
    this.#probationUsed = false;
    this.#budget = target;
    this.#lastRaiseAt = now;
    // The next step needs its own clean run.
    this.#cleanSince = now;
  }

  /**
   * The probe's window passed clean. Used: proven, the wait is back to the
   * base. Unused: back to the budget before it — room nobody takes is room the
   * bandwidth estimator may fill at any moment with a layer the link cannot
   * carry — and the next probe waits longer, as after a failed one.
   */
  #endProbation(): void {
    if (this.#probationUsed) {
      this.#raiseWait.held();
    } else {
      this.#budget = this.#probationFrom;
      this.#raiseWait.failed();
    }
    this.#probationFrom = null;
  }

  /** The loss over which a sample counts as congestion. */
  #line(): number {
    const sorted = [...this.#recentLoss].sort((a, b) => a - b);
    const median = sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
    return Math.max(this.#options.congestedLoss, 2 * median);
  }

  /**
   * To what was delivered, with a margin. Sending no more than the budget
   * and still losing, the loss may be the tail of an overfill already
   * answered (mediasoup averages over seconds): then at most a quarter
   * down per step.
   */
  #lower(sample: DeliverySample): void {
    const o = this.#options;
    const loss = sample.loss as number;
    const delivered = Math.round(sample.sentBitrate * (1 - loss) * o.margin);
    let lowered = delivered;
    if (this.#budget !== null) {
      lowered = sample.sentBitrate <= this.#budget ? Math.max(delivered, Math.round(this.#budget * 0.75)) : delivered;
      lowered = Math.min(this.#budget, lowered);
    }
    // A failed probe: at most back where it was proven.
    if (this.#probationFrom !== null) lowered = Math.min(lowered, this.#probationFrom);
    this.#budget = Math.max(o.floorBitrate, lowered);
    if (this.#probationFrom !== null) {
      this.#raiseWait.failed();
      this.#probationFrom = null;
    }
    this.#lastLowerAt = sample.now;
  }
}
