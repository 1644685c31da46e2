/**
 * How long to wait before the next upward probe on a link (a higher simulcast
 * layer in LayerPolicy, a larger receive budget in ReceiveBudget): the base
 * wait, multiplied after each probe that failed (at most a maximum), back to
 * the base once one holds. A link that carries layer 0 but not layer 1 is
 * then probed after 10 s, 40 s, 160 s … instead of every 10 s.
 */
export interface ProbeWaitOptions {
  /** The wait while probes hold. */
  raiseAfterMs: number;
  /** Factor on the wait after each failed probe. */
  raiseBackoff: number;
  /** The wait never exceeds this. */
  maxRaiseAfterMs: number;
}

export class ProbeWait {
  readonly #options: ProbeWaitOptions;
  #ms: number;

  constructor(options: ProbeWaitOptions) {
    this.#options = options;
    this.#ms = options.raiseAfterMs;
  }

  get ms(): number {
    return this.#ms;
  }

  /** True while failed probes have made the wait longer than the base (a weak link). */
  get backedOff(): boolean {
    return this.#ms > this.#options.raiseAfterMs;
  }

  failed(): void {
    this.#ms = Math.min(this.#ms * this.#options.raiseBackoff, this.#options.maxRaiseAfterMs);
  }

  held(): void {
    this.#ms = this.#options.raiseAfterMs;
  }
}
