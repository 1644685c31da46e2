/**
 * A media node announces itself in Redis when MEDIA_NODE_REDIS_URL is set, so
 * signaling nodes find new media nodes without a hand-kept MEDIA_NODES list:
 *
 *   beacon:media-node:<nodeId> = { nodeId, url, region, sig }   expires after 6 s, rewritten every 2 s
 *
 * `sig` is an HMAC of the entry with MEDIA_NODE_KEY (@beacon/common's
 * mediaNodeRegistration): signaling connects only to entries it verifies.
 *
 * Signaling nodes in cluster mode with MEDIA_NODES=discover read these keys
 * and connect to every node they find (signaling/src/media-nodes/
 * RedisNodeDirectory.ts); load and liveness then come over the control
 * channel's own heartbeats. A node that stops writing disappears from the
 * directory; Redis being down only delays discovery of new nodes.
 */
import { type MediaNodeEntry, redisTlsOptions, type SignedMediaNodeEntry, signMediaNodeEntry } from '@beacon/common';
import { createClient } from 'redis';
import { createLogger } from '../logger.ts';

const logger = createLogger('RedisRegistration');

export const MEDIA_NODE_KEY_PREFIX = 'beacon:media-node:';

export type RegistrationEntry = MediaNodeEntry;

export class RedisRegistration {
  readonly #client: ReturnType<typeof createClient>;
  readonly #entry: SignedMediaNodeEntry;
  readonly #timer: NodeJS.Timeout;

  private constructor(client: ReturnType<typeof createClient>, entry: SignedMediaNodeEntry, periodMs: number) {
    this.#client = client;
    this.#entry = entry;
    this.#timer = setInterval(() => void this.#write(), periodMs);
    this.#timer.unref();
  }

  static async start(
    redisUrl: string,
    entry: RegistrationEntry,
    key: string,
    opts: { ca?: string | null; periodMs?: number } = {},
  ): Promise<RedisRegistration> {
    const client = createClient({
      url: redisUrl,
      socket: {
        ...redisTlsOptions(redisUrl, opts.ca ?? null),
        reconnectStrategy: (n: number) => Math.min(100 * 2 ** n, 2000),
      },
    });
    client.on('error', (err: unknown) => logger.warn({ err: (err as Error).message }, 'redis connection error'));
    await client.connect();
    const registration = new RedisRegistration(client, signMediaNodeEntry(entry, key), opts.periodMs ?? 2000);
    await registration.#write();
    logger.info(entry, 'registered in Redis');
    return registration;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#client.del(MEDIA_NODE_KEY_PREFIX + this.#entry.nodeId).catch(() => undefined);
    await this.#client.quit().catch(() => undefined);
  }

  async #write(): Promise<void> {
    try {
      await this.#client.set(MEDIA_NODE_KEY_PREFIX + this.#entry.nodeId, JSON.stringify(this.#entry), { PX: 6000 });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'registration not written (Redis down?)');
    }
  }
}
