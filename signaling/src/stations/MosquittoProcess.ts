/**
 * Debian's mosquitto as a child process of signaling, under a ProcessSupervisor like coturn and Kamailio: files
 * rendered into `<dataDir>/mqtt`, run in the foreground, its log folded into ours, ready once its port accepts a
 * TCP connection, restarted with back-off when it dies. A changed password file (a station added, disabled or
 * given a new token) is re-read on SIGHUP without dropping connected stations.
 *
 * ```
 *   idle ──start()──> starting ──port open──> running ──stop()──> stopped
 *                        │                       │  └── reload(): files rewritten, SIGHUP
 *                        └── exits / timeout:    └── dies: restart after back-off
 *                            start rejects
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { CodedError, findExecutable, ProcessStartError, ProcessSupervisor } from '@beacon/common';
import { createLogger } from '../logger.ts';
import { stopLeftover } from '../net/leftoverProcess.ts';
import {
  type MosquittoConfigOptions,
  type ResolvedMosquittoConfig,
  renderMosquittoAcl,
  renderMosquittoConfig,
  renderPasswordFile,
  resolveMosquittoConfig,
} from './MosquittoConfig.ts';

const logger = createLogger('Mosquitto');

export type MqttErrorCode = 'mqtt_not_installed' | 'mqtt_start_failed';
export class MqttError extends CodedError<MqttErrorCode> {
  override readonly name = 'MqttError';
}

export interface MosquittoProcessOptions extends MosquittoConfigOptions {
  /** Binary name on PATH or a path (default `mosquitto`; Debian puts it in /usr/sbin). */
  binary?: string;
  /** The password file's lines (user and `$7$` hash), read at every start and reload. */
  credentials: () => Promise<{ user: string; hash: string }[]>;
  /** start() rejects when the port does not open within this (default 10 s). */
  startTimeoutMs?: number;
}

export class MosquittoProcess {
  readonly config: ResolvedMosquittoConfig;
  readonly #opts: MosquittoProcessOptions;
  readonly #process: ProcessSupervisor;

  static binary(name = 'mosquitto'): string | null {
    return findExecutable(name) ?? findExecutable(`/usr/sbin/${name}`);
  }

  constructor(opts: MosquittoProcessOptions) {
    this.#opts = opts;
    this.config = resolveMosquittoConfig(opts);
    this.#process = new ProcessSupervisor({
      name: 'mosquitto',
      command: MosquittoProcess.binary(opts.binary) ?? opts.binary ?? 'mosquitto',
      args: ['-c', this.config.configPath],
      beforeSpawn: async () => {
        await stopLeftover(this.config.pidPath, this.config.configPath, logger, 'mosquitto');
        await this.#writeFiles();
      },
      onOutput: (line) => mosquittoLine(line),
      ready: async () => {
        const { host, port, tls } = this.config;
        return (
          (await portOpen(host ?? '127.0.0.1', port)) && (!tls || (await portOpen(tls.host ?? '127.0.0.1', tls.port)))
        );
      },
      readyTimeoutMs: opts.startTimeoutMs ?? 10_000,
      restart: { initialDelayMs: 1000, maxDelayMs: 30_000, resetAfterMs: 60_000 },
      stopGraceMs: 5000,
      logger,
    });
  }

  get pid(): number | null {
    return this.#process.pid;
  }

  async start(): Promise<void> {
    if (!MosquittoProcess.binary(this.#opts.binary)) {
      throw new MqttError('mqtt_not_installed', 'mosquitto (Debian package mosquitto) is not installed');
    }
    try {
      await this.#process.start();
    } catch (error) {
      const message = error instanceof ProcessStartError ? error.message : String(error);
      throw new MqttError('mqtt_start_failed', message, { cause: error });
    }
    const { host, port, tls } = this.config;
    logger.info({ port, host, tlsPort: tls?.port ?? null, pid: this.pid }, 'mosquitto started');
  }

  /**
   * Rewrites the password file and the ACL and has mosquitto read them again, with the TLS listener's
   * certificate and key (mosquitto ≥ 2.0 re-reads them on SIGHUP; connected stations keep their session).
   */
  async reload(): Promise<void> {
    await this.#writeFiles();
    const { pid } = this;
    if (pid !== null) process.kill(pid, 'SIGHUP');
  }

  async stop(): Promise<void> {
    const wasRunning = this.#process.state !== 'idle' && this.#process.state !== 'stopped';
    await this.#process.stop();
    if (wasRunning) logger.info('mosquitto stopped');
  }

  async #writeFiles(): Promise<void> {
    const c = this.config;
    await mkdir(c.workDir, { recursive: true, mode: 0o700 });
    await writeFile(c.configPath, renderMosquittoConfig(c), { mode: 0o600 });
    await writeFile(c.aclPath, renderMosquittoAcl(), { mode: 0o600 });
    // Hashes only, but still nobody else's business.
    await writeFile(c.passwordPath, renderPasswordFile(await this.#opts.credentials()), { mode: 0o600 });
  }
}

/** Logs one line of mosquitto's output; true when it explains a failure. */
function mosquittoLine(raw: string): boolean {
  const line = raw.trim();
  if (line.length === 0) return false;
  // Refused logins, oversized packets and failed TLS handshakes (an untrusted CA, no client certificate, plain
  // MQTT on the TLS port, the readiness probe) are per-client events anyone can repeat at will: debug.
  if (
    /not authori[sz]ed|disconnected, not authorised|exceeded|bad username|OpenSSL Error|Protocol error|Client connection from .* failed/i.test(
      line,
    )
  ) {
    logger.debug({ mosquitto: line });
    return false;
  }
  if (/\bError\b|Unable|Address already in use/i.test(line)) {
    logger.warn({ mosquitto: line }, 'mosquitto error');
    return true;
  }
  logger.debug({ mosquitto: line });
  return false;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
