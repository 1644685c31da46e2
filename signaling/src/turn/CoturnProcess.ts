/**
 * coturn (Debian's `turnserver`) as a child process of signaling, under a
 * ProcessSupervisor: config rendered into a work directory, run in the
 * foreground, its stdout folded into our logger, readiness checked with a
 * STUN Binding request. When it dies it is started again (back-off 1 s → 30 s).
 *
 * ```
 *   idle ──start()──> starting ──Binding answered──> running ──stop()──> stopped
 *                        │                              │
 *                        └── exits / timeout:           └── dies: `exit`, restart after back-off,
 *                            start rejects                   `restarted` once it answers again
 * ```
 */
import { createSocket } from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable, ProcessStartError, ProcessSupervisor, TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import { stopLeftover } from '../net/leftoverProcess.ts';
import {
  type CoturnConfigOptions,
  type ResolvedCoturnConfig,
  renderCoturnConfig,
  resolveCoturnConfig,
} from './CoturnConfig.ts';
import { decodeStun, encodeStun, StunMethod } from './stunMessage.ts';
import { TurnError } from './TurnError.ts';

const logger = createLogger('Coturn');

export interface CoturnProcessOptions extends CoturnConfigOptions {
  /** Binary name on PATH or a path. Default `turnserver`. */
  binary?: string;
  /** start() rejects when coturn does not answer STUN within this. Default 10_000. */
  startTimeoutMs?: number;
  /** First restart delay after a crash; doubles up to 30 s. Default 1000. */
  restartDelayMs?: number;
}

export type CoturnProcessEvents = {
  exit: [code: number | null, signal: NodeJS.Signals | null];
  restarted: [pid: number];
};

export class CoturnProcess extends TypedEmitter<CoturnProcessEvents> {
  readonly config: ResolvedCoturnConfig;
  readonly #opts: CoturnProcessOptions;
  readonly #process: ProcessSupervisor;
  /** Until the first start succeeded, `ready` is start()'s own, not a restart. */
  #started = false;

  /** True when the binary is on PATH (or at the given path). */
  static available(binary = 'turnserver'): boolean {
    return findExecutable(binary) !== null;
  }

  constructor(options: CoturnProcessOptions) {
    super();
    this.#opts = options;
    this.config = resolveCoturnConfig(options);
    this.#process = new ProcessSupervisor({
      name: 'coturn',
      command: options.binary ?? 'turnserver',
      args: ['-c', this.config.configPath],
      beforeSpawn: () => stopLeftover(this.config.pidFile, this.config.configPath, logger, 'coturn'),
      onOutput: (line) => coturnLine(line),
      // A wildcard listen address was resolved to null (listening everywhere): loopback reaches it.
      ready: () => stunBinding(this.probeAddress.address, this.probeAddress.port, 250),
      readyIntervalMs: 0,
      readyTimeoutMs: options.startTimeoutMs ?? 10_000,
      restart: { initialDelayMs: options.restartDelayMs ?? 1000, maxDelayMs: 30_000, resetAfterMs: 60_000 },
      stopGraceMs: 5000,
      logger,
    });
    this.#process.on('exit', ({ code, signal }) => this.safeEmit('exit', code, signal));
    this.#process.on('ready', (pid) => {
      if (this.#started) this.safeEmit('restarted', pid);
    });
  }

  get pid(): number | null {
    return this.#process.pid;
  }

  get running(): boolean {
    return this.#process.pid !== null;
  }

  /** True once it answered STUN, until it exits (the supervisor restarts it) or is stopped. */
  get answering(): boolean {
    return this.#process.state === 'running';
  }

  /** Where a STUN request reaches coturn from this machine. */
  get probeAddress(): { address: string; port: number } {
    return { address: this.config.listenIp ?? '127.0.0.1', port: this.config.port };
  }

  /** Renders the config, starts coturn and resolves once it answers; throws TurnError. */
  async start(): Promise<void> {
    if (this.running) throw new TurnError('turn_start_failed', 'coturn already started');
    const binary = this.#opts.binary ?? 'turnserver';
    if (!CoturnProcess.available(binary)) {
      throw new TurnError('turn_not_installed', `${binary} (Debian package coturn) is not installed`);
    }
    await mkdir(path.dirname(this.config.configPath), { recursive: true, mode: 0o700 });
    // It holds the shared secret.
    await writeFile(this.config.configPath, renderCoturnConfig(this.config), { mode: 0o600 });
    this.#started = false;
    try {
      await this.#process.start();
    } catch (error) {
      const message = error instanceof ProcessStartError ? error.message : String(error);
      throw new TurnError('turn_start_failed', message, { cause: error });
    }
    this.#started = true;
    logger.info(
      { port: this.config.port, relayIp: this.config.relayIp, allowedPeers: this.config.allowedPeers, pid: this.pid },
      'coturn started',
    );
  }

  /** SIGTERM, SIGKILL after 5 s; no restart afterwards. */
  async stop(): Promise<void> {
    const wasRunning = this.#process.state !== 'idle' && this.#process.state !== 'stopped';
    await this.#process.stop();
    if (wasRunning) logger.info('coturn stopped');
  }
}

/** Logs one line of coturn's output; true when it explains a failure (kept for start errors). */
function coturnLine(raw: string): boolean {
  // coturn prefixes "<uptime>: <session>: "; the rest is the message.
  const line = raw.replace(/^\d+: [^:]*: ?/, '').trim();
  if (line.length === 0) return false;
  // Refused credentials and denied peers are per-request outcomes a client can repeat at will:
  // debug, so a misbehaving terminal cannot flood the log. Faults of coturn itself are warnings.
  const perRequest = /check_stun_auth|peer IP .* denied|error 40\d/.test(line);
  if (!perRequest && /\bERROR\b|\bCannot\b|\bcannot bind\b/.test(line)) {
    logger.warn({ coturn: line }, 'coturn error');
    return true;
  }
  logger.debug({ coturn: line });
  return false;
}

/** One STUN Binding request over UDP; true when a success response with our transaction id came back. */
export async function stunBinding(address: string, port: number, timeoutMs: number): Promise<boolean> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const request = encodeStun({ method: StunMethod.Binding, cls: 'Request', attributes: [] });
  const transactionId = request.subarray(8, 20);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      socket.on('error', () => {
        clearTimeout(timer);
        // ECONNREFUSED arrives at once while nothing listens: wait out the interval instead of spinning.
        setTimeout(() => resolve(false), timeoutMs);
      });
      socket.on('message', (packet) => {
        const message = decodeStun(packet);
        if (message?.cls === 'Success' && message.transactionId.equals(transactionId)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      socket.send(request, port, address);
    });
  } finally {
    socket.close();
  }
}
