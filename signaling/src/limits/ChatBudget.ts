/**
 * How many chat messages a meeting has taken, so one meeting's history stays
 * bounded. The messages are the meeting's record (kept with it in the store),
 * so the bound refuses new ones instead of dropping old ones; a room's join
 * sends only the last 200 either way.
 */
export class ChatBudget {
  readonly #perMeeting: number;
  readonly #maxTracked: number;
  /** meeting (or room, between meetings) → messages taken; oldest first. */
  readonly #counts = new Map<string, number>();

  /** `maxTracked` meetings are counted at once (default 10,000); the oldest is forgotten beyond. */
  constructor(perMeeting: number, maxTracked = 10_000) {
    this.#perMeeting = perMeeting;
    this.#maxTracked = maxTracked;
  }

  /** Counts one message of `key`; false (nothing counted) once the meeting has its fill. */
  take(key: string): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.#perMeeting) return false;
    this.#counts.delete(key);
    this.#counts.set(key, count + 1);
    if (this.#counts.size > this.#maxTracked) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    return true;
  }
}
