/**
 * Kamailio as a child process of the gateway: config rendered into a work
 * directory, run in the foreground (`-DD -E`) under a ProcessSupervisor, its
 * stderr folded into our logger, readiness and monitoring over JSON-RPC on
 * its FIFO (FifoRpc: 0600 in a 0700 run directory, not a TCP port). Not restarted here: the gateway treats its death as
 * fatal and exits, and signaling restarts the gateway (which starts Kamailio).
 *
 * ```
 *   idle ──start()──> starting ──core.version answers──> running ──stop()──> stopped
 *                        │                                  │
 *                        └── exits / timeout: start rejects └── dies: `exit` [code, signal]
 * ```
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable, ProcessStartError, ProcessSupervisor, TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import { FifoRpc } from './FifoRpc.ts';
import {
  findModulesDir,
  type KamailioConfigOptions,
  type ResolvedKamailioConfig,
  renderKamailioConfig,
  resolveKamailioConfig,
} from './KamailioConfig.ts';
import { KamailioError } from './KamailioError.ts';
import { killLeftoverKamailio } from './leftoverKamailio.ts';

const logger = createLogger('Kamailio');

export interface KamailioProcessOptions extends KamailioConfigOptions {
  /** Directory for the rendered config and Kamailio's runtime files (created). */
  workDir: string;
  /** Binary name on PATH or a path. Default `kamailio`. */
  binary?: string;
  /** start() rejects when JSON-RPC does not answer within this. Default 10_000. */
  startTimeoutMs?: number;
  /** Shared / private memory in MB: a city's phones need little. Defaults 64 / 8. */
  sharedMemoryMb?: number;
  privateMemoryMb?: number;
}

export type KamailioProcessEvents = { exit: [code: number | null, signal: NodeJS.Signals | null] };

export class KamailioProcess extends TypedEmitter<KamailioProcessEvents> {
  readonly config: ResolvedKamailioConfig;
  readonly #opts: KamailioProcessOptions;
  readonly #process: ProcessSupervisor;
  readonly #rpc: FifoRpc;

  /** True when the binary is on PATH (or at the given path) and the WebSocket and SQLite modules are installed. */
  static available(binary = 'kamailio'): boolean {
    if (!findExecutable(binary)) return false;
    const modules = findModulesDir();
    return modules !== null && ['websocket.so', 'db_sqlite.so'].every((m) => existsSync(path.join(modules, m)));
  }

  constructor(options: KamailioProcessOptions) {
    super();
    this.#opts = options;
    const runDir = path.join(options.workDir, 'run');
    this.config = resolveKamailioConfig({ runDir, ...options });
    this.#rpc = new FifoRpc({ fifo: this.config.rpcFifo, replyDir: this.config.runDir });
    this.#process = new ProcessSupervisor({
      name: 'Kamailio',
      command: options.binary ?? 'kamailio',
      // Kamailio needs nothing of ours: none of the gateway's settings (nor any secret) is inherited.
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      args: [
        '-DD',
        '-E',
        '-f',
        this.configPath,
        '-Y',
        runDir,
        '-m',
        String(options.sharedMemoryMb ?? 64),
        '-M',
        String(options.privateMemoryMb ?? 8),
      ],
      beforeSpawn: async () => {
        await this.#killLeftovers('before start');
        // Only the gateway's user may reach the JSON-RPC FIFO or read the config.
        await mkdir(runDir, { recursive: true, mode: 0o700 });
        await chmod(runDir, 0o700);
        await writeFile(this.configPath, renderKamailioConfig(this.config), { mode: 0o600 });
        await chmod(this.configPath, 0o600);
      },
      onOutput: (line) => {
        if (/\b(ERROR|CRITICAL|ALERT|BUG):/.test(line)) {
          logger.warn({ kamailio: line }, 'kamailio error');
          return true;
        }
        logger.debug({ kamailio: line });
        return false;
      },
      ready: () =>
        this.rpc('core.version', [], 1000).then(
          () => true,
          () => false,
        ),
      readyTimeoutMs: options.startTimeoutMs ?? 10_000,
      restart: false,
      // Kamailio's main process stops its workers on SIGTERM.
      stopGraceMs: 5000,
    });
    this.#process.on('exit', ({ code, signal }) => {
      logger.warn({ code, signal }, 'Kamailio died');
      // Its workers may live on (a SIGKILLed main process cannot stop them) and hold the SIP port.
      void this.#killLeftovers('after its main process died').finally(() => this.safeEmit('exit', code, signal));
    });
  }

  async #killLeftovers(when: string): Promise<void> {
    const pids = await killLeftoverKamailio(this.configPath).catch((err: unknown) => {
      logger.error({ err }, 'leftover Kamailio processes not stopped');
      return [];
    });
    if (pids.length > 0) logger.warn({ pids, when }, 'stopped leftover Kamailio processes');
  }

  /** Process id of Kamailio's main process (null when not running). */
  get pid(): number | null {
    return this.#process.pid;
  }

  get running(): boolean {
    return this.#process.pid !== null;
  }

  get configPath(): string {
    return path.join(this.#opts.workDir, 'kamailio.cfg');
  }

  get wsUrl(): string {
    return `ws://${this.config.wsListen}`;
  }

  async start(): Promise<void> {
    if (this.running) throw new KamailioError('kamailio_start_failed', 'Kamailio already started');
    const binary = this.#opts.binary ?? 'kamailio';
    if (!KamailioProcess.available(binary)) {
      throw new KamailioError(
        'kamailio_not_installed',
        `${binary} or its websocket/db_sqlite modules are not installed`,
      );
    }
    try {
      await this.#process.start();
    } catch (error) {
      const message = error instanceof ProcessStartError ? error.message : String(error);
      throw new KamailioError('kamailio_start_failed', message, { cause: error });
    }
    logger.info({ udp: this.config.udpListen, ws: this.config.wsListen, pid: this.pid }, 'Kamailio started');
  }

  /** SIGTERM (Kamailio's main process stops its workers), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    await this.#process.stop();
    if (wasRunning) logger.info('Kamailio stopped');
  }

  /** One JSON-RPC call over Kamailio's FIFO (`ul.dump`, `core.version`, `ul.rm`, ...). */
  rpc<T = unknown>(method: string, params: unknown[] = [], timeoutMs = 3000): Promise<T> {
    return this.#rpc.call<T>(method, params, timeoutMs);
  }
}
