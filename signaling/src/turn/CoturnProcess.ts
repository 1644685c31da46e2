/**
 * coturn (Debian's `turnserver`) as a child process of signaling: config
 * rendered into a work directory, run in the foreground, its stdout folded
 * into our logger, readiness checked with a STUN Binding request. When it
 * dies it is started again (back-off 1 s → 30 s, as the SIP gateway is).
 *
 * ```
 *   idle ──start()──> starting ──Binding answered──> running ──stop()──> stopped
 *                        │                              │
 *                        └── exits / timeout:           └── dies: `exit`, restart after back-off,
 *                            start rejects                   `restarted` once it answers again
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable, TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
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

const MAX_RESTART_DELAY_MS = 30_000;

export class CoturnProcess extends TypedEmitter<CoturnProcessEvents> {
  readonly config: ResolvedCoturnConfig;
  readonly #opts: CoturnProcessOptions;
  #child: ChildProcess | null = null;
  #stopped = false;
  /** Until the first start succeeded, an exit is start()'s failure, not a crash to restart from. */
  #firstStart = true;
  #restartDelayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #recentErrors: string[] = [];

  /** True when the binary is on PATH (or at the given path). */
  static available(binary = 'turnserver'): boolean {
    return findExecutable(binary) !== null;
  }

  constructor(options: CoturnProcessOptions) {
    super();
    this.#opts = options;
    this.config = resolveCoturnConfig(options);
    this.#restartDelayMs = options.restartDelayMs ?? 1000;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Where a STUN request reaches coturn from this machine. */
  get probeAddress(): { address: string; port: number } {
    // A wildcard listen address was resolved to null (listening everywhere): loopback reaches it.
    return { address: this.config.listenIp ?? '127.0.0.1', port: this.config.port };
  }

  /** Renders the config, starts coturn and resolves once it answers; throws TurnError. */
  async start(): Promise<void> {
    if (this.#child) throw new TurnError('turn_start_failed', 'coturn already started');
    const binary = this.#opts.binary ?? 'turnserver';
    if (!CoturnProcess.available(binary)) {
      throw new TurnError('turn_not_installed', `${binary} (Debian package coturn) is not installed`);
    }
    await mkdir(path.dirname(this.config.configPath), { recursive: true, mode: 0o700 });
    await stopLeftover(this.config.pidFile, this.config.configPath);
    // It holds the shared secret.
    await writeFile(this.config.configPath, renderCoturnConfig(this.config), { mode: 0o600 });
    this.#stopped = false;
    this.#firstStart = true;
    await this.#spawnAndWait(binary);
    this.#firstStart = false;
    logger.info(
      { port: this.config.port, relayIp: this.config.relayIp, allowedPeers: this.config.allowedPeers, pid: this.pid },
      'coturn started',
    );
  }

  async #spawnAndWait(binary: string): Promise<void> {
    this.#recentErrors = [];
    const child = spawn(binary, ['-c', this.config.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#pipeLog(child);
    const startedAt = Date.now();
    const exited = new Promise<never>((_resolve, reject) => {
      child.once('exit', (code, signal) => {
        const errors = this.#recentErrors.join(' | ') || 'no error logged';
        reject(new TurnError('turn_start_failed', `coturn exited during start (${code ?? signal}): ${errors}`));
      });
      child.once('error', (error) => reject(new TurnError('turn_start_failed', error.message, { cause: error })));
    });
    exited.catch(() => {});
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = null;
      if (this.#stopped || this.#firstStart) return;
      // One that ran for a while gets a quick restart; one that keeps dying backs off.
      if (Date.now() - startedAt > 60_000) this.#restartDelayMs = this.#opts.restartDelayMs ?? 1000;
      logger.error({ code, signal, restartInMs: this.#restartDelayMs }, 'coturn exited; restarting');
      this.safeEmit('exit', code, signal);
      this.#restartTimer = setTimeout(() => void this.#restart(binary), this.#restartDelayMs);
      this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, MAX_RESTART_DELAY_MS);
    });
    try {
      await Promise.race([exited, this.#waitReady(this.#opts.startTimeoutMs ?? 10_000)]);
    } catch (error) {
      await this.#kill(child);
      throw error;
    }
  }

  async #restart(binary: string): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#spawnAndWait(binary);
      logger.info({ pid: this.pid }, 'coturn restarted');
      if (this.pid !== null) this.safeEmit('restarted', this.pid);
    } catch (err) {
      // Its exit handler has already scheduled the next try.
      logger.error({ err }, 'coturn restart failed');
    }
  }

  /** SIGTERM, SIGKILL after 5 s; no restart afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child) return;
    await this.#kill(child);
    this.#child = null;
    logger.info('coturn stopped');
  }

  async #kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!child.kill('SIGTERM')) {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Sends STUN Binding requests until one is answered. */
  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const { address, port } = this.probeAddress;
    while (Date.now() < deadline) {
      if (await stunBinding(address, port, 250)) return;
    }
    const errors = this.#recentErrors.join(' | ') || 'no error logged';
    throw new TurnError('turn_start_failed', `coturn did not answer STUN within ${timeoutMs} ms: ${errors}`);
  }

  #pipeLog(child: ChildProcess): void {
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const raw of lines) {
          // coturn prefixes "<uptime>: <session>: "; the rest is the message.
          const line = raw.replace(/^\d+: [^:]*: ?/, '').trim();
          if (line.length === 0) continue;
          // Refused credentials and denied peers are per-request outcomes a client can repeat at will:
          // debug, so a misbehaving terminal cannot flood the log. Faults of coturn itself are warnings.
          const perRequest = /check_stun_auth|peer IP .* denied|error 40\d/.test(line);
          if (!perRequest && /\bERROR\b|\bCannot\b|\bcannot bind\b/.test(line)) {
            logger.warn({ coturn: line }, 'coturn error');
            this.#recentErrors = [...this.#recentErrors.slice(-4), line];
          } else {
            logger.debug({ coturn: line });
          }
        }
      });
    }
  }
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

/**
 * A coturn of ours that outlived a killed Beacon (SIGKILL leaves no time to
 * stop it) still holds the ports: stop it, but only when its command line
 * names our config file, so a recycled pid is never hit.
 */
async function stopLeftover(pidFile: string, configPath: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0').includes(configPath)) return;
  logger.warn({ pid }, 'stopping a coturn left over from an earlier run');
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null)) !== null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
