/**
 * Finds media nodes that registered themselves in Redis
 * (media-server/src/node/RedisRegistration.ts) and hands each new one to the
 * cascade (MEDIA_NODES=discover, cluster mode). Liveness and load then come
 * from the node's own heartbeats over its control channel, so a node that
 * vanishes from Redis is not dropped here — its missing heartbeats do that
 * (MediaNodeRegistry), whichever way it was found.
 *
 * Redis is shared by more than Beacon's own processes, so an entry is used
 * only when its signature verifies with MEDIA_NODE_KEY (the node holds the
 * key) and its URL's host is within MEDIA_NODE_ALLOW: signaling presents the
 * media-node key to whatever URL it connects to. A URL off this machine must
 * be https:// (mutual TLS, controlTls.ts), and the node must then prove the
 * id it registered with (NodeIdentity.ts).
 */
import { mediaNodeEntrySigned } from '@beacon/common';
import { z } from 'zod';
import type { RedisClient } from '../cluster/ClusterNode.ts';
import { parseRedisJson } from '../cluster/redisJson.ts';
import { createLogger } from '../logger.ts';
import { type Subtree, withinSubtrees } from '../net/nameSubtrees.ts';
import type { CascadedMediaControl } from './CascadedMediaControl.ts';
import { controlUrlRefusal } from './controlTls.ts';

const logger = createLogger('RedisNodeDirectory');

const PREFIX = 'beacon:media-node:';
const entrySchema = z.object({
  nodeId: z.string().min(1).max(64),
  url: z.string().regex(/^https?:\/\/\S+$/),
  region: z.string().min(1).max(64),
  sig: z.string().optional(),
});

export interface RedisNodeDirectoryOptions {
  redis: RedisClient;
  cascade: Pick<CascadedMediaControl, 'addNode'>;
  /** The media nodes' pre-shared key: an entry's signature must verify with it. */
  key: string;
  /** Hosts and networks a discovered node's control URL may point to (MEDIA_NODE_ALLOW). */
  allow: readonly Subtree[];
  /** How often the directory is read. Default 2000 ms. */
  pollMs?: number;
}

export class RedisNodeDirectory {
  readonly #opts: RedisNodeDirectoryOptions;
  readonly #timer: NodeJS.Timeout;
  /** Refused entries already logged (key + url + why): the directory is re-read every 2 s. */
  readonly #refusedLogged = new Set<string>();

  private constructor(opts: RedisNodeDirectoryOptions) {
    this.#opts = opts;
    this.#timer = setInterval(() => void this.scan(), opts.pollMs ?? 2000);
    this.#timer.unref();
  }

  /** Reads the directory once at start (so a node registered already is used at once), then keeps polling. */
  static async start(opts: RedisNodeDirectoryOptions): Promise<RedisNodeDirectory> {
    const directory = new RedisNodeDirectory(opts);
    await directory.scan();
    return directory;
  }

  /** Adds every registered node not known yet; returns how many were new. */
  async scan(): Promise<number> {
    let added = 0;
    try {
      for await (const key of this.#opts.redis.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) {
        const raw = await this.#opts.redis.get(key);
        if (raw === null) continue;
        const entry = parseRedisJson(entrySchema, raw);
        if (!entry) {
          logger.warn({ key }, 'malformed media node registration ignored');
          continue;
        }
        const refusal = this.#refusal(entry);
        if (refusal) {
          this.#logRefusal(key, entry.url, refusal);
          continue;
        }
        if (this.#opts.cascade.addNode(entry.url, entry.nodeId)) {
          added += 1;
          logger.info(entry, 'media node discovered');
        }
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'media node directory not readable (Redis down?)');
    }
    return added;
  }

  /** Why an entry is not used, or null when it is. */
  #refusal(entry: z.infer<typeof entrySchema>): string | null {
    if (!mediaNodeEntrySigned(entry, this.#opts.key)) return 'signature does not verify with MEDIA_NODE_KEY';
    const host = new URL(entry.url).hostname.replace(/^\[|\]$/g, '');
    if (!withinSubtrees(host, this.#opts.allow)) return `host ${host} is not within MEDIA_NODE_ALLOW`;
    return controlUrlRefusal(entry.url);
  }

  #logRefusal(key: string, url: string, reason: string): void {
    const seen = `${key} ${url} ${reason}`;
    if (this.#refusedLogged.has(seen)) return;
    if (this.#refusedLogged.size > 1000) this.#refusedLogged.clear();
    this.#refusedLogged.add(seen);
    logger.warn({ key, url, reason }, 'media node registration refused');
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
