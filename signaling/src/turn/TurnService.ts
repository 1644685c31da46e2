/**
 * TURN for one Beacon node (BEACON_TURN=on): runs coturn next to the media
 * server and mints each user's ICE servers. When coturn is missing or will
 * not start, the node keeps running without TURN and clients get no ICE
 * servers (they connect directly where they can).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { IceServer } from '../protocol/events.ts';
import { isWildcard } from './CoturnConfig.ts';
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
}

export class TurnService {
  readonly #opts: TurnServiceOptions;
  readonly #secret: string;
  readonly #credentials: TurnCredentials;
  #coturn: CoturnProcess | null = null;
  #failure: TurnError | null = null;

  constructor(opts: TurnServiceOptions) {
    this.#opts = opts;
    this.#secret = resolveTurnSecret(opts.config);
    this.#credentials = new TurnCredentials({
      secret: this.#secret,
      ttlSeconds: opts.config.turn.ttlSeconds,
      urls: turnUrls(opts.announcedAddress, opts.config.turn.port),
    });
  }

  /** True while coturn has been started (it may be between a crash and its restart). */
  get available(): boolean {
    return this.#coturn !== null;
  }

  /** Why TURN is unavailable, when start() failed. */
  get failure(): TurnError | null {
    return this.#failure;
  }

  get coturn(): CoturnProcess | null {
    return this.#coturn;
  }

  /** Starts coturn; never throws: a failure is logged and kept in `failure`. */
  async start(): Promise<void> {
    const { config, announcedAddress } = this.#opts;
    try {
      const announcedIp = isIP(announcedAddress) ? announcedAddress : (await lookup(announcedAddress)).address;
      const { listenIp } = config.media;
      const coturn = new CoturnProcess({
        workDir: path.resolve(config.dataDir, 'turn'),
        listenIp,
        port: config.turn.port,
        announcedIp,
        relayPorts: config.turn.relayPorts,
        secret: this.#secret,
        // Relayed packets go to the media server's ICE candidates, which carry the announced address.
        allowedPeers: isWildcard(listenIp) ? [announcedIp] : [announcedIp, listenIp],
        ...(this.#opts.binary === undefined ? {} : { binary: this.#opts.binary }),
      });
      await coturn.start();
      this.#coturn = coturn;
    } catch (err) {
      this.#failure = err instanceof TurnError ? err : new TurnError('turn_start_failed', String(err), { cause: err });
      logger.error(
        { code: this.#failure.code, err: this.#failure.message },
        'TURN unavailable; terminals behind NAT or firewalls may not connect',
      );
    }
  }

  /** The ICE servers for this user, or undefined when TURN is not running. */
  iceServersFor(userId: string): IceServer[] | undefined {
    return this.#coturn ? this.#credentials.iceServersFor(userId) : undefined;
  }

  async close(): Promise<void> {
    await this.#coturn?.stop();
    this.#coturn = null;
  }
}
