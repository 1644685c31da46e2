/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Each event
 * takes one; an empty bucket says how long until the next token.
 *
 * Written here rather than taken from rate-limiter-flexible: this is the hot
 * path of every client event, and that library's limiters answer through a
 * Promise per call (and its Redis one with a round trip), where this is two
 * numbers and a subtraction, synchronous, with no timers to clean up.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  #tokens: number;
  #lastMs: number;

  constructor(perSecond: number, burst: number, nowMs: number) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#lastMs = nowMs;
  }

  /** Tokens available at `nowMs` (refilled, not taken). */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  /** Takes one token: 0 when taken, else the milliseconds until one is there (nothing taken). */
  take(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) * 1000) / this.perSecond);
  }

  /** Gives back a token taken for an event another bucket then refused (never beyond `burst`). */
  giveBack(): void {
    this.#tokens = Math.min(this.burst, this.#tokens + 1);
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = nowMs;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.perSecond) / 1000);
  }
}
