/**
 * Per-number rate limit for SMS: a token bucket per mobile number (burst
 * `burst`, refilled at `perHour`), so a village head who is the contact of
 * three villages, or is warned by three warnings at once, is not flooded,
 * and the carrier does not take the sender for a spammer. A text over the
 * limit waits; it is never dropped.
 */
import { TokenBucket } from '../limits/TokenBucket.ts';

export interface NumberRateOptions {
  /** Texts one number may get per hour, sustained (default 20). */
  perHour: number;
  /** Texts one number may get at once (default 5). */
  burst: number;
}

export const DEFAULT_NUMBER_RATE: NumberRateOptions = { perHour: 20, burst: 5 };

/** Buckets full for this long are forgotten (they would be created full again anyway). */
const IDLE_MS = 3_600_000;

export class NumberRateLimiter {
  readonly #opts: NumberRateOptions;
  readonly #buckets = new Map<string, { bucket: TokenBucket; lastMs: number }>();

  constructor(opts: NumberRateOptions = DEFAULT_NUMBER_RATE) {
    this.#opts = opts;
  }

  /** 0: send now (a token taken); else the milliseconds to wait before asking again. */
  take(mobile: string, nowMs: number): number {
    let entry = this.#buckets.get(mobile);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.#opts.perHour / 3600, this.#opts.burst, nowMs), lastMs: nowMs };
      this.#buckets.set(mobile, entry);
    }
    entry.lastMs = nowMs;
    if (this.#buckets.size > 10_000) this.#prune(nowMs);
    return entry.bucket.take(nowMs);
  }

  #prune(nowMs: number): void {
    for (const [mobile, entry] of this.#buckets) {
      if (nowMs - entry.lastMs > IDLE_MS) this.#buckets.delete(mobile);
    }
  }
}
