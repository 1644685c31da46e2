/**
 * Kannel as two child processes of signaling, each under a ProcessSupervisor:
 * bearerbox (the SMSC connections, splitting, delivery reports) and smsbox
 * (the sendsms HTTP interface Beacon submits to, and the replies it forwards).
 * The config is rendered into Beacon's data dir; readiness is read from
 * bearerbox's status page: running, and (for smsbox) an smsbox connected.
 * A box that dies is started again with back-off.
 *
 * ```
 *   idle ──start()──> bearerbox ready ──> smsbox ready ──> running ──stop()──> stopped
 *                          │                   │
 *                          └── exits / times out: start rejects (KannelError), both stopped
 * ```
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { findExecutable, ProcessStartError, ProcessSupervisor } from '@beacon/common';
import { createLogger } from '../../logger.ts';
import {
  type KannelConfigOptions,
  type KannelPorts,
  kannelConfigPath,
  kannelPorts,
  renderKannelConfig,
} from './KannelConfig.ts';
import { KannelError } from './KannelError.ts';

const logger = createLogger('Kannel');

export interface KannelProcessOptions extends KannelConfigOptions {
  /** Directory of bearerbox and smsbox, or absent for PATH (Debian puts them in /usr/sbin). */
  binDir?: string;
  /** start() rejects when a box is not ready within this. Default 15_000. */
  startTimeoutMs?: number;
}

export class KannelProcess {
  readonly ports: KannelPorts;
  readonly configPath: string;
  readonly #opts: KannelProcessOptions;
  readonly #bearerbox: ProcessSupervisor;
  readonly #smsbox: ProcessSupervisor;

  static binary(name: 'bearerbox' | 'smsbox', binDir?: string): string | null {
    return findExecutable(binDir ? `${binDir}/${name}` : name);
  }

  constructor(opts: KannelProcessOptions) {
    this.#opts = opts;
    this.ports = kannelPorts(opts.portBase);
    this.configPath = kannelConfigPath(opts.workDir);
    const common = {
      // Kannel's console log level 1 (info and up); each line is folded into ours.
      args: ['-v', '1', this.configPath],
      // Our own running boxes are spared: a restarted bearerbox must not take the live smsbox down.
      beforeSpawn: () => stopLeftovers(this.configPath, [this.#bearerbox.pid, this.#smsbox.pid]),
      onOutput: (line: string) => kannelLine(line),
      readyIntervalMs: 200,
      readyTimeoutMs: opts.startTimeoutMs ?? 15_000,
      restart: { initialDelayMs: 1000, maxDelayMs: 30_000, resetAfterMs: 60_000 },
      stopGraceMs: 5000,
      logger,
    };
    this.#bearerbox = new ProcessSupervisor({
      ...common,
      name: 'bearerbox',
      command: KannelProcess.binary('bearerbox', opts.binDir) ?? 'bearerbox',
      ready: async () => (await this.status())?.includes('Status: running') ?? false,
    });
    this.#smsbox = new ProcessSupervisor({
      ...common,
      name: 'smsbox',
      command: KannelProcess.binary('smsbox', opts.binDir) ?? 'smsbox',
      ready: async () => /smsbox:/.test((await this.status()) ?? ''),
    });
  }

  /** bearerbox's status page (text), or null while it does not answer. */
  async status(): Promise<string | null> {
    const url = `http://127.0.0.1:${this.ports.admin}/status.txt?password=${encodeURIComponent(this.#opts.secrets.status)}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return res.ok ? await res.text() : null;
    } catch {
      return null;
    }
  }

  get running(): boolean {
    return this.#bearerbox.pid !== null && this.#smsbox.pid !== null;
  }

  /** Renders the config and starts bearerbox, then smsbox; throws KannelError (nothing left running). */
  async start(): Promise<void> {
    for (const name of ['bearerbox', 'smsbox'] as const) {
      if (!KannelProcess.binary(name, this.#opts.binDir)) {
        throw new KannelError('sms_not_installed', `${name} (Debian package kannel) is not installed`);
      }
    }
    await mkdir(this.#opts.workDir, { recursive: true, mode: 0o700 });
    await writeFile(this.configPath, renderKannelConfig(this.#opts), { mode: 0o600 });
    try {
      await this.#bearerbox.start();
      await this.#smsbox.start();
    } catch (error) {
      await this.stop();
      const message = error instanceof ProcessStartError ? error.message : String(error);
      throw new KannelError('sms_start_failed', message, { cause: error });
    }
    logger.info({ ports: this.ports, smsc: this.#opts.smsc.kind }, 'kannel started');
  }

  /** smsbox first (no new submissions), then bearerbox; no restart afterwards. */
  async stop(): Promise<void> {
    const wasRunning = this.#bearerbox.state !== 'idle' && this.#bearerbox.state !== 'stopped';
    await this.#smsbox.stop();
    await this.#bearerbox.stop();
    if (wasRunning) logger.info('kannel stopped');
  }
}

/** Logs one line of Kannel's output; true when it explains a failure (kept for start errors). */
function kannelLine(raw: string): boolean {
  // "2026-12-07 11:34:15 [29302] [0] INFO: text": the level decides; the rest is the message.
  const match = /^\S+ \S+ \[\d+\] \[\d+\] (\w+): (.*)$/.exec(raw.trim());
  const level = match?.[1] ?? 'INFO';
  const line = match?.[2] ?? raw.trim();
  if (line === '') return false;
  // Kannel logs each message and HTTP request at INFO: debug here (the rubric: nothing per message at info).
  // Our own stop signal is reported as an error by Kannel ("SIGINT received, aborting program…"): not a fault.
  const stopping = /received, aborting|shutting down/i.test(line);
  if ((level === 'ERROR' || level === 'PANIC') && !stopping) {
    logger.warn({ kannel: line }, 'kannel error');
    return true;
  }
  logger.debug({ kannel: line });
  return false;
}

/**
 * A bearerbox or smsbox of ours that outlived a killed Beacon (SIGKILL leaves
 * no time to stop them) still holds the ports: stop it — only a process whose
 * command line names our config file, so nothing else is ever hit.
 */
async function stopLeftovers(configPath: string, ours: readonly (number | null)[]): Promise<void> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || ours.includes(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (!args.includes(configPath) || !/(bearerbox|smsbox)$/.test(args[0] ?? '')) continue;
    logger.warn({ pid }, 'stopping a kannel box left over from an earlier run');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}
