/**
 * Grace timers for participants whose socket went away: each runs out after
 * `ms` unless cancelled by a resume (or a leave). Timers are unref'd so a
 * pending grace never keeps the process alive.
 */
export class ReconnectGrace {
  readonly ms: number;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(ms: number) {
    if (!(ms >= 0)) throw new TypeError('reconnect grace must be ≥ 0 ms');
    this.ms = ms;
  }

  start(peerId: string, onExpire: () => void): void {
    this.cancel(peerId);
    const timer = setTimeout(() => {
      this.#timers.delete(peerId);
      onExpire();
    }, this.ms);
    timer.unref();
    this.#timers.set(peerId, timer);
  }

  cancel(peerId: string): void {
    const timer = this.#timers.get(peerId);
    if (timer) clearTimeout(timer);
    this.#timers.delete(peerId);
  }

  cancelAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
