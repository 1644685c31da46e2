/**
 * Polling (轮巡): rotate the main view over chosen peers every N seconds.
 * Owns only the timer and the position; what a step means (the spotlight)
 * is the caller's `onStep`. The clock is injectable so tests step it.
 *
 * ```
 *   running ⇄ paused ──> stopped (terminal)
 *      └───────────────────^
 * ```
 */

import type { PollingState } from '@beacon/protocol';
import type { PollingClock } from './ConferenceRoomTypes.ts';

export type { PollingClock };

export const realClock: PollingClock = {
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PollingOptions {
  peerIds: readonly string[];
  intervalSeconds: number;
  /** Called with the peer now on the main view: at start and at every step. */
  onStep: (peerId: string) => void;
  clock?: PollingClock;
}

export class Polling {
  readonly intervalSeconds: number;
  readonly #peerIds: string[];
  readonly #onStep: (peerId: string) => void;
  readonly #clock: PollingClock;
  #index = 0;
  #paused = false;
  #stopped = false;
  #timer: unknown;

  constructor(opts: PollingOptions) {
    if (opts.peerIds.length === 0) throw new TypeError('polling needs at least one peer');
    if (!(opts.intervalSeconds > 0)) throw new TypeError('polling interval must be positive');
    this.#peerIds = [...new Set(opts.peerIds)];
    this.intervalSeconds = opts.intervalSeconds;
    this.#onStep = opts.onStep;
    this.#clock = opts.clock ?? realClock;
  }

  get current(): string | undefined {
    return this.#peerIds[this.#index];
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.#show();
  }

  pause(): void {
    if (this.#stopped || this.#paused) return;
    this.#paused = true;
    this.#cancel();
  }

  /** Resumes from the peer on view now, with a full interval ahead. */
  resume(): void {
    if (this.#stopped || !this.#paused) return;
    this.#paused = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  /**
   * A peer left the meeting: drop it from the rotation. Returns false when
   * nobody is left (the polling stopped). If it was on view, the next one is shown.
   */
  removePeer(peerId: string): boolean {
    const at = this.#peerIds.indexOf(peerId);
    if (at < 0 || this.#stopped) return !this.#stopped;
    this.#peerIds.splice(at, 1);
    if (this.#peerIds.length === 0) {
      this.stop();
      return false;
    }
    if (at < this.#index) this.#index -= 1;
    else if (at === this.#index) {
      this.#index %= this.#peerIds.length;
      if (!this.#paused) this.#show();
    }
    return true;
  }

  view(): PollingState {
    return {
      peerIds: [...this.#peerIds],
      intervalSeconds: this.intervalSeconds,
      index: this.#index,
      paused: this.#paused,
    };
  }

  #show(): void {
    this.#cancel();
    const peerId = this.current;
    if (peerId !== undefined) this.#onStep(peerId);
    if (!this.#paused && !this.#stopped) this.#schedule();
  }

  #schedule(): void {
    this.#cancel();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#index = (this.#index + 1) % this.#peerIds.length;
      this.#show();
    }, this.intervalSeconds * 1000);
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
