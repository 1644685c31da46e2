/**
 * Kamailio as a child process of the gateway: config rendered into a work
 * directory, run in the foreground (`-DD -E`), its stderr folded into our
 * logger, readiness and monitoring over JSON-RPC on the loopback HTTP port.
 *
 * ```
 *   idle ──start()──> starting ──core.version answers──> running ──stop()──> stopped
 *                        │                                  │
 *                        └── exits / timeout: start rejects └── dies: `exit` [code, signal]
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable, TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import {
  findModulesDir,
  type KamailioConfigOptions,
  type ResolvedKamailioConfig,
  renderKamailioConfig,
  resolveKamailioConfig,
} from './KamailioConfig.ts';
import { KamailioError } from './KamailioError.ts';

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
  #child: ChildProcess | null = null;
  #stopping = false;
  #recentErrors: string[] = [];
  #rpcId = 0;

  /** True when the binary is on PATH (or at the given path) and the WebSocket and SQLite modules are installed. */
  static available(binary = 'kamailio'): boolean {
    if (!findExecutable(binary)) return false;
    const modules = findModulesDir();
    return modules !== null && ['websocket.so', 'db_sqlite.so'].every((m) => existsSync(path.join(modules, m)));
  }

  constructor(options: KamailioProcessOptions) {
    super();
    this.#opts = options;
    this.config = resolveKamailioConfig(options);
  }

  /** Process id of Kamailio's main process (null when not running). */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  get configPath(): string {
    return path.join(this.#opts.workDir, 'kamailio.cfg');
  }

  get rpcUrl(): string {
    return `http://${this.config.wsListen}/RPC`;
  }

  get wsUrl(): string {
    return `ws://${this.config.wsListen}`;
  }

  async start(): Promise<void> {
    if (this.#child) throw new KamailioError('kamailio_start_failed', 'Kamailio already started');
    const binary = this.#opts.binary ?? 'kamailio';
    if (!KamailioProcess.available(binary)) {
      throw new KamailioError(
        'kamailio_not_installed',
        `${binary} or its websocket/db_sqlite modules are not installed`,
      );
    }
    const runDir = path.join(this.#opts.workDir, 'run');
    await mkdir(runDir, { recursive: true });
    await writeFile(this.configPath, renderKamailioConfig(this.config));

    this.#stopping = false;
    this.#recentErrors = [];
    const child = spawn(
      binary,
      [
        '-DD',
        '-E',
        '-f',
        this.configPath,
        '-Y',
        runDir,
        '-m',
        String(this.#opts.sharedMemoryMb ?? 64),
        '-M',
        String(this.#opts.privateMemoryMb ?? 8),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.#child = child;
    this.#pipeLog(child);
    const exited = new Promise<never>((_resolve, reject) => {
      child.once('exit', (code, signal) => {
        reject(
          new KamailioError(
            'kamailio_start_failed',
            `Kamailio exited during start (code ${code}, signal ${signal}): ${this.#recentErrors.join(' | ') || 'no error logged'}`,
          ),
        );
      });
      child.once('error', (error) =>
        reject(new KamailioError('kamailio_start_failed', error.message, { cause: error })),
      );
    });
    exited.catch(() => {});
    child.once('exit', (code, signal) => {
      this.#child = null;
      if (this.#stopping) return;
      logger.warn({ code, signal }, 'Kamailio died');
      this.safeEmit('exit', code, signal);
    });

    try {
      await Promise.race([exited, this.#waitReady(this.#opts.startTimeoutMs ?? 10_000)]);
    } catch (error) {
      await this.stop();
      throw error;
    }
    logger.info({ udp: this.config.udpListen, ws: this.config.wsListen, pid: child.pid }, 'Kamailio started');
  }

  /** SIGTERM (Kamailio's main process stops its workers), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
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
    this.#child = null;
    logger.info('Kamailio stopped');
  }

  /** One JSON-RPC call over HTTP (`ul.dump`, `core.version`, `stats.get_statistics`, ...). */
  async rpc<T = unknown>(method: string, params: unknown[] = [], timeoutMs = 3000): Promise<T> {
    this.#rpcId += 1;
    let response: Response;
    try {
      response = await fetch(this.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method, params, id: this.#rpcId }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new KamailioError('kamailio_rpc_failed', `${method}: ${String(error)}`, { cause: error });
    }
    const text = await response.text();
    let body: { result?: T; error?: { code?: number; message?: string } };
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new KamailioError('kamailio_rpc_failed', `${method}: not JSON (${response.status})`, { cause: error });
    }
    if (body.error) {
      throw new KamailioError(
        'kamailio_rpc_failed',
        `${method}: ${body.error.message ?? 'error'} (${body.error.code})`,
      );
    }
    return body.result as T;
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.rpc('core.version', [], 1000);
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new KamailioError('kamailio_start_failed', `Kamailio did not answer JSON-RPC within ${timeoutMs} ms`, {
            cause: error,
          });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  #pipeLog(child: ChildProcess): void {
    let buffered = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.length === 0) continue;
        if (/\b(ERROR|CRITICAL|ALERT|BUG):/.test(line)) {
          logger.warn({ kamailio: line }, 'kamailio error');
          this.#recentErrors = [...this.#recentErrors.slice(-4), line.trim()];
        } else {
          logger.debug({ kamailio: line });
        }
      }
    });
  }
}
