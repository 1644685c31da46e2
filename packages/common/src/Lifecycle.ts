/**
 * How a process (or a node inside one) starts and stops: each part starts
 * and registers how it stops, in one list; the whole stops in reverse order
 * on a signal, on a failed start, or when a test is done. A part whose stop
 * throws or hangs past its timeout is logged and the others still stop.
 *
 * ```
 *   const life = new Lifecycle({ name: 'media node', logger });
 *   const media = await life.start('media', () => MediaServer.create(opts), (m) => m.close());
 *   const control = await life.start('control server', () => ControlServer.start(media, o), (c) => c.close());
 *   life.stopOnSignals();          // SIGTERM / SIGINT: control server, then media; then exit
 * ```
 *
 * A start that throws stops the parts already started (newest first) and
 * rethrows, so a half-started process leaves nothing behind.
 */
import { CodedError } from './CodedError.ts';
import type { Logger } from './logger.ts';

export interface LifecycleOptions {
  /** In log lines: `beacon`, `media node`, `SIP gateway`. */
  name: string;
  logger?: Logger;
  /** How long one part's stop may take before the next part's stop begins. Default 10_000. */
  stopTimeoutMs?: number;
}

export interface PartOptions {
  /** This part's stop timeout (default: the lifecycle's). */
  stopTimeoutMs?: number;
}

export interface StopReport {
  /** Parts whose stop threw or timed out (they were logged). */
  failed: string[];
}

type Stop = () => Promise<void> | void;

interface Part {
  name: string;
  stop: Stop;
  timeoutMs: number;
}

export class Lifecycle {
  readonly name: string;
  readonly #logger: Logger | undefined;
  readonly #stopTimeoutMs: number;
  readonly #parts: Part[] = [];
  /** Starts in flight: stop() waits for them, so a part cannot start behind its back. */
  readonly #starting = new Set<Promise<void>>();
  #stopping: Promise<StopReport> | null = null;

  constructor(options: LifecycleOptions) {
    this.name = options.name;
    this.#logger = options.logger;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  }

  /** True once stop() was called (or a start failed). */
  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** Names of the parts that would stop now, in stop order. */
  get parts(): string[] {
    return this.#parts.map((part) => part.name).reverse();
  }

  /**
   * Starts a part and registers its stop (called with what start returned).
   * When start throws, every part started before stops and the error is
   * rethrown. A part that finishes starting after stop() began is stopped at
   * once (stop() waits for it) and start rejects with a LifecycleError.
   */
  async start<T>(
    name: string,
    start: () => Promise<T> | T,
    stop?: (value: T) => Promise<void> | void,
    options: PartOptions = {},
  ): Promise<T> {
    if (this.#stopping) throw new LifecycleError('stopping', `${this.name}: cannot start ${name}, stopping`);
    let settle: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#starting.add(inFlight);
    const done = () => {
      settle();
      this.#starting.delete(inFlight);
    };
    let value: T;
    try {
      value = await start();
    } catch (error) {
      done();
      this.#logger?.error({ err: error, part: name }, `${this.name}: ${name} failed to start`);
      await this.stop();
      throw error;
    }
    try {
      if (stop) {
        const part = { name, stop: () => stop(value), timeoutMs: options.stopTimeoutMs ?? this.#stopTimeoutMs };
        if (this.#stopping) {
          await this.#stopPart(part);
          throw new LifecycleError('stopping', `${this.name}: stopped while ${name} was starting`);
        }
        this.#parts.push(part);
      }
      return value;
    } finally {
      done();
    }
  }

  /** Registers the stop of something already running (started synchronously or elsewhere). */
  add(name: string, stop: Stop, options: PartOptions = {}): void {
    const part = { name, stop, timeoutMs: options.stopTimeoutMs ?? this.#stopTimeoutMs };
    if (this.#stopping) {
      void this.#stopPart(part);
      return;
    }
    this.#parts.push(part);
  }

  /** Stops every part, newest first, one after the other. Idempotent: later calls get the same result. */
  stop(): Promise<StopReport> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  /**
   * SIGTERM and SIGINT stop the lifecycle, then `exit` (default
   * `process.exit`) with 0, or 1 when a part failed to stop. With
   * `deadlineMs`, a stop that takes longer as a whole exits with 1 anyway: a
   * hung stop must not keep the process alive forever. Returns a function
   * that removes the handlers.
   */
  stopOnSignals(
    options: {
      signals?: NodeJS.Signals[];
      exit?: (code: number) => void;
      deadlineMs?: number;
      onSignal?: (signal: NodeJS.Signals) => void;
    } = {},
  ): () => void {
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    const exit = options.exit ?? ((code: number) => process.exit(code));
    const handler = (signal: NodeJS.Signals) => {
      if (this.#stopping) return;
      options.onSignal?.(signal);
      this.#logger?.info({ signal }, `${this.name} stopping`);
      if (options.deadlineMs !== undefined) setTimeout(() => exit(1), options.deadlineMs).unref();
      void this.stop().then((report) => exit(report.failed.length === 0 ? 0 : 1));
    };
    for (const signal of signals) process.on(signal, handler);
    return () => {
      for (const signal of signals) process.off(signal, handler);
    };
  }

  async #stopAll(): Promise<StopReport> {
    await Promise.all(this.#starting);
    const failed: string[] = [];
    for (let part = this.#parts.pop(); part; part = this.#parts.pop()) {
      if (!(await this.#stopPart(part))) failed.push(part.name);
    }
    this.#logger?.info({ failed }, `${this.name} stopped`);
    return { failed };
  }

  /** True when the part stopped within its timeout without throwing. */
  async #stopPart(part: Part): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), part.timeoutMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(part.stop), timedOut]);
      if (outcome === 'timeout') {
        this.#logger?.error(
          { part: part.name, timeoutMs: part.timeoutMs },
          `${this.name}: ${part.name} did not stop in time`,
        );
        return false;
      }
      return true;
    } catch (error) {
      this.#logger?.error({ err: error, part: part.name }, `${this.name}: ${part.name} failed to stop`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A part started while the lifecycle is stopping (it was stopped again at once). */
export class LifecycleError extends CodedError<'stopping'> {
  override readonly name = 'LifecycleError';
}
