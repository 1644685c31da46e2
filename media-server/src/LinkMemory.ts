/**
 * What each terminal's receive link took last time: the receive budget
 * LinkBudgets last applied to a link key (the receiver's user id), with when.
 * A new receive transport for that key starts from it instead of mediasoup's
 * guess. Why: a fresh transport starting at 1 Mbit/s gets the chair's 1280-px
 * layer first, and on a 300 kbit/s township link that key frame alone takes
 * seconds to crawl through before anything is decoded; starting every
 * transport low instead leaves loopback and LAN receivers on a small layer
 * for a minute while the budget climbs. A township's link is the same from
 * one meeting to the next, so remembering it gets both right.
 *
 * Pure (injectable clock, no mediasoup); one per media-server process, shared
 * by its rooms. Bounded: the least recently recorded key goes first.
 */

export interface LinkMemoryOptions {
  /** A limit recorded longer ago than this is forgotten (ms). Default 24 h. */
  maxAgeMs: number;
  /** Keys kept at most. Default 10 000. */
  maxKeys: number;
  /** Start of a link with nothing remembered (bits/s); also the highest remembered start. Default 1 000 000. */
  defaultBitrate: number;
  /** Lowest remembered start (bits/s): a budget cut deep by an outage is no measure of the link. Default 100 000. */
  minBitrate: number;
  /** ms. Default Date.now. */
  now: () => number;
}

export const DEFAULT_LINK_MEMORY: LinkMemoryOptions = {
  maxAgeMs: 24 * 60 * 60 * 1000,
  maxKeys: 10_000,
  defaultBitrate: 1_000_000,
  minBitrate: 100_000,
  now: Date.now,
};

export class LinkMemory {
  readonly #options: LinkMemoryOptions;
  /** Insertion order = recording order (a record moves its key to the end). */
  readonly #links = new Map<string, { budget: number | null; at: number }>();

  constructor(options: Partial<LinkMemoryOptions> = {}) {
    this.#options = { ...DEFAULT_LINK_MEMORY, ...options };
  }

  get size(): number {
    return this.#links.size;
  }

  /** The link's budget now (bits/s; null: not limited). */
  record(key: string, budget: number | null): void {
    this.#links.delete(key);
    this.#links.set(key, { budget, at: this.#options.now() });
    while (this.#links.size > this.#options.maxKeys) {
      const oldest = this.#links.keys().next().value as string;
      this.#links.delete(oldest);
    }
  }

  /**
   * The budget a new transport of this link starts limited to: the one
   * remembered, clamped to [minBitrate, defaultBitrate], when the link was
   * limited within maxAgeMs and that is below the default start; else null.
   */
  startingBudget(key: string | undefined): number | null {
    if (key === undefined) return null;
    const link = this.#links.get(key);
    if (!link || link.budget === null) return null;
    if (this.#options.now() - link.at > this.#options.maxAgeMs) {
      this.#links.delete(key);
      return null;
    }
    const { minBitrate, defaultBitrate } = this.#options;
    const budget = Math.min(defaultBitrate, Math.max(minBitrate, link.budget));
    return budget < defaultBitrate ? budget : null;
  }

  /** mediasoup's first bandwidth estimate for a new transport of this link (bits/s). */
  initialBitrate(key: string | undefined): number {
    return this.startingBudget(key) ?? this.#options.defaultBitrate;
  }
}
