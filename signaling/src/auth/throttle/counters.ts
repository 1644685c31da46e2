/**
 * Where failed sign-ins are counted. One node keeps them in memory; a
 * cluster keeps them in Redis (RedisAttemptCounters) so that the limit holds
 * whichever node a try reaches.
 */
export interface AttemptCounters {
  /** Counts one failure of `key`; the count is forgotten `windowMs` after the last one. Returns the new count. */
  increment(key: string, windowMs: number): Promise<number>;
  /** Blocks `key` for `ms` from now (a longer block already set is kept). */
  block(key: string, ms: number): Promise<void>;
  /** Milliseconds left of `key`'s block; 0 when it is free. */
  blockedFor(key: string): Promise<number>;
  /** Forgets `key`'s failures and block (a successful sign-in). */
  reset(key: string): Promise<void>;
}

/** Sweep expired entries once the maps hold this many keys (a flood of made-up usernames). */
const SWEEP_AT = 10_000;

export class MemoryAttemptCounters implements AttemptCounters {
  readonly #counts = new Map<string, { count: number; expiresAt: number }>();
  readonly #blocks = new Map<string, number>();
  readonly #now: () => number;

  /** `now`: the clock (tests pass a fake one). Default Date.now. */
  constructor(opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
  }

  async increment(key: string, windowMs: number): Promise<number> {
    const now = this.#now();
    if (this.#counts.size >= SWEEP_AT) this.#sweep(now);
    const entry = this.#counts.get(key);
    const count = entry && entry.expiresAt > now ? entry.count + 1 : 1;
    this.#counts.set(key, { count, expiresAt: now + windowMs });
    return count;
  }

  async block(key: string, ms: number): Promise<void> {
    const until = this.#now() + ms;
    if ((this.#blocks.get(key) ?? 0) < until) this.#blocks.set(key, until);
  }

  async blockedFor(key: string): Promise<number> {
    const until = this.#blocks.get(key);
    if (until === undefined) return 0;
    const left = until - this.#now();
    if (left <= 0) this.#blocks.delete(key);
    return Math.max(left, 0);
  }

  async reset(key: string): Promise<void> {
    this.#counts.delete(key);
    this.#blocks.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#counts) if (entry.expiresAt <= now) this.#counts.delete(key);
    for (const [key, until] of this.#blocks) if (until <= now) this.#blocks.delete(key);
  }
}
