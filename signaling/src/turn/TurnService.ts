/**
 * TURN for one Beacon node (BEACON_TURN=on): runs coturn next to the media
 * server and mints each user's ICE servers. When coturn is missing or will
 * not start, the node keeps running without TURN and clients get no ICE
 * servers (they connect directly where they can). A start that failed for
 * any reason but a missing binary (its port still held, a start slower than
 * the timeout on a loaded machine) is tried again, 2 s later and then at
 * most every 30 s, until coturn answers: from then on terminals get TURN with
 * their next transport, ICE restart or GET /api/v1/ice-servers.
 */
import { lookup } from 'node:dns/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { IceServer } from '@beacon/protocol';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { isWildcard } from '../net/addresses.ts';
import { CoturnProcess } from './CoturnProcess.ts';
import { resolveTurnSecret, TurnCredentials, turnUrls } from './TurnCredentials.ts';
import { TurnError } from './TurnError.ts';

const logger = createLogger('TurnService');

export interface TurnServiceOptions {
  config: Pick<Config, 'dataDir' | 'turn'> & { media: Pick<Config['media'], 'listenIp'> };
  /** The address browsers reach the media server (and so TURN) under: an IP or a DNS name. */
  announcedAddress: string;
  /** coturn binary; default `turnserver` (tests point it elsewhere to see `turn_not_installed`). */
  binary?: string;
  /** First delay before a failed start is tried again; doubles up to 30 s. Default 2000. */
  retryDelayMs?: number;
  /**
   * Beacon's certificate and key (PEM) for TURN over TLS on `config.turn.tlsPort`; null or absent: no `turns:`.
   * Renewed ones come through `updateCertificate`.
   */
  tls?: { cert: string; key: string } | null;
}

export class TurnService {
  readonly #opts: TurnServiceOptions;
  readonly #secret: string;
  readonly #credentials: TurnCredentials;
  #coturn: CoturnProcess | null = null;
  #failure: TurnError | null = null;
  #tls: { cert: string; key: string } | null;
  #attempts = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** The start attempt in flight, for close() to wait out. */
  #attempt: Promise<void> | null = null;
  #closed = false;

  constructor(opts: TurnServiceOptions) {
    this.#opts = opts;
    this.#secret = resolveTurnSecret(opts.config);
    this.#tls = opts.config.turn.tlsPort === null ? null : (opts.tls ?? null);
    this.#credentials = new TurnCredentials({
      secret: this.#secret,
      ttlSeconds: opts.config.turn.ttlSeconds,
      urls: turnUrls(opts.announcedAddress, opts.config.turn.port, this.#tls ? opts.config.turn.tlsPort : null),
    });
  }

  get #workDir(): string {
    return path.resolve(this.#opts.config.dataDir, 'turn');
  }

  /** True while coturn has been started (it may be between a crash and its restart). */
  get available(): boolean {
    return this.#coturn !== null;
  }

  /** True while coturn answers STUN: started, and not between a crash and its restart (/readyz). */
  get answering(): boolean {
    return this.#coturn?.answering ?? false;
  }

  /** Why TURN is unavailable, when start() failed. */
  get failure(): TurnError | null {
    return this.#failure;
  }

  get coturn(): CoturnProcess | null {
    return this.#coturn;
  }

  /** Starts coturn; never throws: a failure is logged and kept in `failure` (and retried, see above). */
  async start(): Promise<void> {
    this.#attempt = this.#tryStart();
    await this.#attempt;
  }

  async #tryStart(): Promise<void> {
    if (this.#closed) return;
    this.#attempts += 1;
    const { config, announcedAddress } = this.#opts;
    try {
      const announcedIp = isIP(announcedAddress) ? announcedAddress : (await lookup(announcedAddress)).address;
      const { listenIp } = config.media;
      const coturn = new CoturnProcess({
        workDir: this.#workDir,
        listenIp,
        port: config.turn.port,
        announcedIp,
        relayPorts: config.turn.relayPorts,
        secret: this.#secret,
        // Relayed packets go to the media server's ICE candidates, which carry the announced address.
        allowedPeers: isWildcard(listenIp) ? [announcedIp] : [announcedIp, listenIp],
        ...(this.#opts.binary === undefined ? {} : { binary: this.#opts.binary }),
        ...(this.#tls ? { tls: await this.#writeTlsFiles(this.#tls) } : {}),
      });
      await coturn.start();
      if (this.#closed) {
        await coturn.stop();
        return;
      }
      this.#coturn = coturn;
      if (this.#failure) logger.info({ attempts: this.#attempts }, 'TURN available now');
      this.#failure = null;
    } catch (err) {
      this.#failure = err instanceof TurnError ? err : new TurnError('turn_start_failed', String(err), { cause: err });
      logger.error(
        { code: this.#failure.code, err: this.#failure.message, attempts: this.#attempts },
        'TURN unavailable; terminals behind NAT or firewalls may not connect',
      );
      // A missing binary stays missing; anything else may pass on a later try.
      if (this.#failure.code !== 'turn_not_installed' && !this.#closed) {
        const delay = Math.min(30_000, (this.#opts.retryDelayMs ?? 2_000) * 2 ** (this.#attempts - 1));
        this.#retryTimer = setTimeout(() => {
          this.#attempt = this.#tryStart();
        }, delay);
        this.#retryTimer.unref();
      }
    }
  }

  /**
   * A renewed certificate (CertificateRenewal): coturn reads its files only
   * at start, so it is restarted with the new ones (allocations in flight
   * are re-made by the browsers' ICE restart).
   */
  async updateCertificate(material: { cert: string; key: string }): Promise<void> {
    if (!this.#tls) return;
    this.#tls = material;
    const coturn = this.#coturn;
    if (!coturn) return;
    await this.#writeTlsFiles(material);
    await coturn.stop();
    await coturn.start();
    logger.info('coturn restarted with the renewed certificate');
  }

  /** Copies of the certificate and key for coturn, in its work directory (key mode 0600). */
  async #writeTlsFiles(material: {
    cert: string;
    key: string;
  }): Promise<{ port: number; certFile: string; keyFile: string }> {
    const dir = path.join(this.#workDir, 'tls');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const certFile = path.join(dir, 'server.crt');
    const keyFile = path.join(dir, 'server.key');
    await writeFile(certFile, material.cert, { mode: 0o644 });
    await writeFile(keyFile, material.key, { mode: 0o600 });
    return { port: this.#opts.config.turn.tlsPort as number, certFile, keyFile };
  }

  /** The ICE servers for this user, or undefined when TURN is not running. */
  iceServersFor(userId: string): IceServer[] | undefined {
    return this.#coturn ? this.#credentials.iceServersFor(userId) : undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    await this.#attempt;
    await this.#coturn?.stop();
    this.#coturn = null;
  }
}
