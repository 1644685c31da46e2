/**
 * The 20 ms heartbeat of every mixer in the gateway. Ticks are scheduled
 * against absolute due times, so timer jitter never accumulates into drift.
 * When the event loop stalls, the missed ticks run back to back: every
 * phone still gets 50 packets a second and its jitter buffer absorbs the
 * burst. A stall longer than `maxCatchUpFrames` is not replayed (a burst of
 * seconds of audio would only flood the phones' buffers); those frames are
 * counted in `stats.skipped`, never dropped silently.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../logger.ts';

const logger = createLogger('MixerClock');

export interface MixerClockOptions {
  /** Default 20. */
  frameMs?: number;
  /** Most ticks run back to back after a stall. Default 10 (200 ms). */
  maxCatchUpFrames?: number;
}

export interface MixerClockStats {
  ticks: number;
  /** Ticks that ran more than one frame after their due time. */
  late: number;
  maxLateMs: number;
  /** Total time spent inside ticks. */
  tickCpuMs: number;
  /** Frames never run because a stall exceeded the catch-up limit. */
  skipped: number;
}

export interface Tickable {
  tick(): void;
}

export class MixerClock {
  readonly #frameMs: number;
  readonly #maxCatchUp: number;
  readonly #members = new Set<Tickable>();
  #timer: NodeJS.Timeout | null = null;
  #due = 0;
  #lastErrorLogAt = -Infinity;
  readonly stats: MixerClockStats = { ticks: 0, late: 0, maxLateMs: 0, tickCpuMs: 0, skipped: 0 };

  constructor(opts: MixerClockOptions = {}) {
    this.#frameMs = opts.frameMs ?? 20;
    this.#maxCatchUp = Math.max(1, opts.maxCatchUpFrames ?? 10);
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  add(m: Tickable): void {
    this.#members.add(m);
  }

  remove(m: Tickable): void {
    this.#members.delete(m);
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#due = performance.now() + this.#frameMs;
    this.#schedule();
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#run(), Math.max(0, this.#due - performance.now()));
  }

  #run(): void {
    const started = performance.now();
    while (this.#timer !== null && performance.now() >= this.#due) {
      const lateMs = performance.now() - this.#due;
      const behind = Math.floor(lateMs / this.#frameMs);
      if (behind >= this.#maxCatchUp) {
        const skipped = behind - this.#maxCatchUp + 1;
        this.stats.skipped += skipped;
        this.#due += skipped * this.#frameMs;
        logger.warn({ skipped, frameMs: this.#frameMs }, 'event loop stalled, mixer frames skipped');
        continue;
      }
      if (lateMs > this.#frameMs) this.stats.late++;
      if (lateMs > this.stats.maxLateMs) this.stats.maxLateMs = lateMs;
      for (const member of this.#members) this.#tickOne(member);
      this.stats.ticks++;
      this.#due += this.#frameMs;
    }
    this.stats.tickCpuMs += performance.now() - started;
    if (this.#timer !== null) this.#schedule();
  }

  #tickOne(member: Tickable): void {
    try {
      member.tick();
    } catch (err) {
      // One broken room must not silence every other room; log at most once a second, it fires 50 times.
      const now = performance.now();
      if (now - this.#lastErrorLogAt >= 1000) {
        this.#lastErrorLogAt = now;
        logger.error({ err }, 'mixer tick threw');
      }
    }
  }
}
