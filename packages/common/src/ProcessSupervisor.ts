/**
 * One long-lived child process: spawn it, wait until a readiness probe says
 * it serves, restart it with back-off when it dies, and stop it politely then
 * firmly. Kamailio, coturn, the SIP gateway and ffmpeg recordings run under
 * this; servers that come later (mosquitto, Kannel) fit the same options.
 *
 * ```
 *   idle ──start()──> starting ──ready──> running ──stop()──> stopping ──> stopped
 *                        │                   │
 *                        │                   └── exits on its own: `exit`; with a restart policy
 *                        │                       `restarting` ──delay──> starting (again `ready`)
 *                        └── spawn fails / exits / probe times out: start() rejects (child killed)
 * ```
 *
 * Not execa or a process-manager library: what we need is the readiness probe
 * and the stop ladder around `child_process.spawn`, about a hundred lines, and
 * those libraries add neither.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CodedError } from './CodedError.ts';
import type { Logger } from './logger.ts';
import { TypedEmitter } from './TypedEmitter.ts';

export type ProcessState = 'idle' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export interface RestartPolicy {
  /** First delay after a crash; doubles on each crash in a row. Default 1000. */
  initialDelayMs?: number;
  /** The delay never grows beyond this. Default 30_000. */
  maxDelayMs?: number;
  /** A child that ran this long gets the initial delay again. Default 60_000. */
  resetAfterMs?: number;
}

export interface ProcessSupervisorOptions {
  /** In logs and error messages: `Kamailio`, `coturn`, `SIP gateway`. */
  name: string;
  /** Program to run (a path, or a name on PATH). */
  command: string;
  args?: readonly string[];
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The child's stdout and stderr: lines to `onOutput` ('pipe', default), shared with ours ('inherit'), or dropped. */
  output?: 'pipe' | 'inherit' | 'ignore';
  /**
   * Each line the child prints (output 'pipe'). Return true when the line
   * explains a failure: the last few such lines go into start errors.
   */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => boolean | undefined;
  /** Keep the child's stdin open for `stdin` (ffmpeg stops on 'q'). Default false. */
  stdin?: boolean;
  /** An IPC channel: a Node child sees 'disconnect' when we are gone. Default false. */
  ipc?: boolean;
  /** Resolves true once the child serves; called every `readyIntervalMs` until `readyTimeoutMs`. Default: ready once spawned. */
  ready?: () => Promise<boolean>;
  /** Default 10_000. */
  readyTimeoutMs?: number;
  /** Default 100. */
  readyIntervalMs?: number;
  /** Restart after the child exits on its own; false: never (it stays stopped). Default: restart with back-off. */
  restart?: RestartPolicy | false;
  /** Before every spawn, the first and each restart: render a config, clear a leftover. A throw fails that start. */
  beforeSpawn?: () => Promise<void>;
  /** A polite first step of stop(), before the stop signal (ffmpeg: 'q' on stdin so it writes the file's trailer). */
  requestStop?: (child: ChildProcess) => void;
  /** Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** How long each step of stop() waits for the exit before the next (requestStop → stopSignal → SIGKILL). Default 5000. */
  stopGraceMs?: number;
  logger?: Logger;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type ProcessSupervisorEvents = {
  /** The child serves (first start and every restart). */
  ready: [pid: number];
  /** The child exited on its own (not through stop()). */
  exit: [exit: ProcessExit];
  /** A restart is scheduled after an exit or a failed restart. */
  restarting: [delayMs: number];
  /** A restart attempt failed; another is scheduled. */
  restartfailed: [error: ProcessStartError];
  /** A message from the child over the IPC channel (option `ipc`). */
  message: [message: unknown];
};

export type ProcessStartErrorCode = 'spawn_failed' | 'exited_during_start' | 'not_ready' | 'prepare_failed';

export class ProcessStartError extends CodedError<ProcessStartErrorCode> {
  override readonly name = 'ProcessStartError';
}

const LAST_ERRORS = 5;

export class ProcessSupervisor extends TypedEmitter<ProcessSupervisorEvents> {
  readonly name: string;
  readonly #opts: ProcessSupervisorOptions;
  readonly #restart: Required<RestartPolicy> | null;
  #state: ProcessState = 'idle';
  #child: ChildProcess | null = null;
  #exited: Promise<ProcessExit> = Promise.resolve({ code: null, signal: null });
  #restartDelayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #recentErrors: string[] = [];

  constructor(options: ProcessSupervisorOptions) {
    super();
    this.name = options.name;
    this.#opts = options;
    this.#restart =
      options.restart === false
        ? null
        : {
            initialDelayMs: options.restart?.initialDelayMs ?? 1000,
            maxDelayMs: options.restart?.maxDelayMs ?? 30_000,
            resetAfterMs: options.restart?.resetAfterMs ?? 60_000,
          };
    this.#restartDelayMs = this.#restart?.initialDelayMs ?? 0;
  }

  get state(): ProcessState {
    return this.#state;
  }

  /** Process id of the current child (null when none runs). */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** The current child's stdin (option `stdin`), null otherwise. */
  get stdin(): NodeJS.WritableStream | null {
    return this.#child?.stdin ?? null;
  }

  /** Sends to the current child over the IPC channel (option `ipc`); false when no child listens. */
  send(message: unknown): boolean {
    const child = this.#child;
    if (!child?.connected) return false;
    child.send(message as Parameters<ChildProcess['send']>[0], (err) => {
      if (err) this.#opts.logger?.debug({ err }, `${this.name}: IPC message not delivered`);
    });
    return true;
  }

  /** Resolves when the current (or last) child exits, whoever caused it. */
  get exited(): Promise<ProcessExit> {
    return this.#exited;
  }

  /** The last lines `onOutput` marked as errors (newest last). */
  get recentErrors(): readonly string[] {
    return this.#recentErrors;
  }

  /** Spawns the child and resolves once it is ready; rejects with ProcessStartError (the child is gone then). */
  async start(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'stopped') {
      throw new ProcessStartError('spawn_failed', `${this.name} already started`);
    }
    this.#state = 'starting';
    try {
      await this.#spawnAndWait();
    } catch (error) {
      if (this.#state === 'starting') this.#state = 'stopped';
      throw error;
    }
    if (this.#state === 'starting') this.#state = 'running';
  }

  /**
   * No restart afterwards; the polite request (if any), the stop signal, then
   * SIGKILL, each after `stopGraceMs`. Resolves when the child is gone. Idempotent.
   */
  async stop(): Promise<void> {
    clearTimeout(this.#restartTimer);
    if (this.#state === 'idle' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    const child = this.#child;
    if (child) await this.#kill(child);
    this.#state = 'stopped';
  }

  async #spawnAndWait(): Promise<void> {
    this.#recentErrors = [];
    if (this.#opts.beforeSpawn) {
      try {
        await this.#opts.beforeSpawn();
      } catch (error) {
        throw new ProcessStartError('prepare_failed', `${this.name}: ${errorMessage(error)}`, { cause: error });
      }
    }
    if (this.#state !== 'starting') throw new ProcessStartError('spawn_failed', `${this.name} stopped during start`);
    const child = this.#spawn();
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', (error) =>
        reject(new ProcessStartError('spawn_failed', `${this.name}: ${error.message}`, { cause: error })),
      );
      void this.#exited.then(({ code, signal }) =>
        reject(
          new ProcessStartError(
            'exited_during_start',
            `${this.name} exited during start (${code ?? signal}): ${this.#explain()}`,
          ),
        ),
      );
    });
    failed.catch(() => undefined);
    const spawned = new Promise<void>((resolve) => child.once('spawn', () => resolve()));
    try {
      await Promise.race([failed, spawned.then(() => this.#waitReady())]);
    } catch (error) {
      await this.#kill(child);
      throw error;
    }
    if (this.#stopRequested()) return;
    this.#opts.logger?.info({ pid: child.pid }, `${this.name} running`);
    this.safeEmit('ready', child.pid ?? 0);
  }

  #spawn(): ChildProcess {
    const output = this.#opts.output ?? 'pipe';
    const stdio: ('pipe' | 'inherit' | 'ignore' | 'ipc')[] = [this.#opts.stdin ? 'pipe' : 'ignore', output, output];
    if (this.#opts.ipc) stdio.push('ipc');
    const child = spawn(this.#opts.command, [...(this.#opts.args ?? [])], {
      env: this.#opts.env ?? process.env,
      ...(this.#opts.cwd ? { cwd: this.#opts.cwd } : {}),
      stdio,
    });
    this.#child = child;
    if (this.#opts.ipc) child.on('message', (message) => this.safeEmit('message', message));
    // EPIPE when the child exits before reading what we wrote: its exit is what matters.
    child.stdin?.on('error', () => undefined);
    if (output === 'pipe') {
      this.#readLines(child.stdout, 'stdout');
      this.#readLines(child.stderr, 'stderr');
    }
    const startedAt = Date.now();
    this.#exited = new Promise((resolve) => {
      // 'error' without 'exit' happens when the program cannot be spawned at all.
      child.once('error', () => resolve({ code: null, signal: null }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    void this.#exited.then((exit) => this.#onExit(child, exit, startedAt));
    return child;
  }

  #onExit(child: ChildProcess, exit: ProcessExit, startedAt: number): void {
    if (this.#child !== child) return;
    this.#child = null;
    // Exits during start are start()'s failure; after stop() they are expected.
    if (this.#state !== 'running') return;
    this.#opts.logger?.error({ ...exit, errors: this.#recentErrors }, `${this.name} exited`);
    this.safeEmit('exit', exit);
    if (!this.#restart) {
      this.#state = 'stopped';
      return;
    }
    // One that ran for a while gets a quick restart; one that keeps dying backs off.
    if (Date.now() - startedAt > this.#restart.resetAfterMs) this.#restartDelayMs = this.#restart.initialDelayMs;
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const restart = this.#restart as Required<RestartPolicy>;
    const delayMs = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delayMs * 2, restart.maxDelayMs);
    this.#state = 'restarting';
    this.#opts.logger?.warn({ restartInMs: delayMs }, `${this.name} restarting`);
    this.safeEmit('restarting', delayMs);
    this.#restartTimer = setTimeout(() => void this.#restartNow(), delayMs);
  }

  async #restartNow(): Promise<void> {
    if (this.#state !== 'restarting') return;
    this.#state = 'starting';
    try {
      await this.#spawnAndWait();
      if (this.#state === 'starting') this.#state = 'running';
    } catch (error) {
      if (this.#state !== 'starting') return;
      const failure =
        error instanceof ProcessStartError
          ? error
          : new ProcessStartError('spawn_failed', errorMessage(error), { cause: error });
      this.#opts.logger?.error({ err: failure }, `${this.name} restart failed`);
      this.safeEmit('restartfailed', failure);
      this.#scheduleRestart();
    }
  }

  async #waitReady(): Promise<void> {
    const probe = this.#opts.ready;
    if (!probe) return;
    const timeoutMs = this.#opts.readyTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (this.#stopRequested()) return;
      try {
        if (await probe()) return;
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, this.#opts.readyIntervalMs ?? 100));
    }
    throw new ProcessStartError('not_ready', `${this.name} was not ready within ${timeoutMs} ms: ${this.#explain()}`, {
      cause: lastError,
    });
  }

  async #kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = this.#child === child ? this.#exited : new Promise<unknown>((r) => child.once('exit', r));
    const grace = this.#opts.stopGraceMs ?? 5000;
    const steps: (() => void)[] = [
      ...(this.#opts.requestStop ? [() => this.#opts.requestStop?.(child)] : []),
      () => child.kill(this.#opts.stopSignal ?? 'SIGTERM'),
      () => child.kill('SIGKILL'),
    ];
    for (const step of steps) {
      step();
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), grace);
        }),
      ]);
      clearTimeout(timer);
      if (gone) return;
      this.#opts.logger?.warn({ pid: child.pid }, `${this.name} still running after ${grace} ms`);
    }
    await exited;
  }

  #readLines(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.#line(line, name);
    });
    stream.on('end', () => {
      if (buffered.length > 0) this.#line(buffered, name);
      buffered = '';
    });
  }

  #line(raw: string, stream: 'stdout' | 'stderr'): void {
    const line = raw.trimEnd();
    if (line.length === 0) return;
    if (this.#opts.onOutput?.(line, stream)) this.#recentErrors = [...this.#recentErrors.slice(1 - LAST_ERRORS), line];
  }

  /** A method, not an inline test: TypeScript would narrow `#state` across the awaits that change it. */
  #stopRequested(): boolean {
    return this.#state === 'stopping' || this.#state === 'stopped';
  }

  #explain(): string {
    return this.#recentErrors.join(' | ') || 'no error logged';
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
