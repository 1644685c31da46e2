/**
 * This signaling node's membership in a cluster of nodes sharing one Redis
 * (`REDIS_URL` set; without it Beacon is one node and none of this
 * runs). Redis holds only what is shared and short-lived — which nodes are
 * alive, which node owns each room, the socket.io adapter's traffic and the
 * node-to-node requests — never anything that must survive: durable data is
 * in the store. So a Redis restart loses nothing acknowledged; nodes
 * reconnect and write their heartbeat and room claims again.
 *
 *   beacon:node:<nodeId>          heartbeat, expires after `deadAfterMs`
 *   beacon:room:<roomId>:owner    the node that runs the room (RoomOwnership)
 *   beacon:sip-gateway:<nodeId>   the node has a SIP gateway that takes calls (GatewayRelay)
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { redisTlsOptions } from '@beacon/common';
import { createClient, type RedisClientType } from 'redis';
import { createLogger } from '../logger.ts';
import { ClusterSeal } from './ClusterSeal.ts';

const logger = createLogger('ClusterNode');

export interface ClusterNodeOptions {
  redisUrl: string;
  /** Default: host name + random suffix (unique per process). */
  nodeId?: string;
  /** How often the heartbeat is written. Default 2000. */
  heartbeatMs?: number;
  /** A node whose heartbeat is this old counts as dead. Default 6000. */
  deadAfterMs?: number;
  /** The key every node of the cluster shares; seals node-to-node messages (ClusterSeal.ts). */
  key: Uint8Array;
  /** CA (PEM) that issued a rediss:// Redis's certificate (BEACON_REDIS_CA). Default: the system's CAs. */
  redisCa?: string | null;
}

export type RedisClient = RedisClientType;

const nodeKey = (nodeId: string) => `beacon:node:${nodeId}`;

export class ClusterNode {
  readonly nodeId: string;
  /** Commands (and publishing). */
  readonly redis: RedisClient;
  /** The socket.io adapter's own pair (it subscribes on `adapterSub`). */
  readonly adapterPub: RedisClient;
  readonly adapterSub: RedisClient;
  /** Seals and opens node-to-node messages with the cluster's shared key. */
  readonly seal: ClusterSeal;
  readonly #deadAfterMs: number;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  private constructor(opts: ClusterNodeOptions, clients: RedisClient[]) {
    this.nodeId = opts.nodeId ?? `${os.hostname()}-${randomUUID().slice(0, 8)}`;
    [this.redis, this.adapterPub, this.adapterSub] = clients as [RedisClient, RedisClient, RedisClient];
    guardPublish(this.adapterPub);
    this.seal = new ClusterSeal(opts.key);
    this.#deadAfterMs = opts.deadAfterMs ?? 6000;
    this.#timer = setInterval(() => void this.#beat(), opts.heartbeatMs ?? 2000);
    this.#timer.unref();
    // Back from a Redis restart: announce this node at once, or others would think it dead and take its rooms.
    this.redis.on('ready', () => void this.#beat());
  }

  /** Connects (fails fast when Redis is unreachable at start) and writes the first heartbeat. */
  static async connect(opts: ClusterNodeOptions): Promise<ClusterNode> {
    const clients = [0, 1, 2].map(() => newClient(opts.redisUrl, opts.redisCa ?? null));
    try {
      await connectChecked(clients);
    } catch (err) {
      await Promise.all(clients.map((client) => client.disconnect().catch(() => undefined)));
      throw new Error(`cannot reach Redis at ${redact(opts.redisUrl)}: ${(err as Error).message}`, { cause: err });
    }
    const node = new ClusterNode(opts, clients);
    await node.#beat();
    logger.info({ nodeId: node.nodeId }, 'joined the cluster');
    return node;
  }

  /** A further client for subscriptions (a subscribed Redis connection can do nothing else). */
  async subscriber(): Promise<RedisClient> {
    const client = this.redis.duplicate();
    client.on('error', (err: unknown) => logger.warn({ err: (err as Error).message }, 'redis subscriber error'));
    await client.connect();
    return client;
  }

  async isAlive(nodeId: string): Promise<boolean> {
    if (nodeId === this.nodeId) return !this.#closed;
    return (await this.redis.exists(nodeKey(nodeId))) === 1;
  }

  /**
   * True when `nodeId` is dead: no heartbeat, and Redis has been up long enough
   * for a live node to have written one (right after a Redis restart every
   * heartbeat is missing for a moment, which says nothing about the nodes).
   */
  async isDead(nodeId: string): Promise<boolean> {
    if (await this.isAlive(nodeId)) return false;
    const info = await this.redis.info('server');
    const uptimeSeconds = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? Number.POSITIVE_INFINITY);
    return uptimeSeconds * 1000 >= this.#deadAfterMs;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    // Leave at once rather than after deadAfterMs, so other nodes take over this node's rooms quickly.
    await this.redis.del(nodeKey(this.nodeId)).catch(() => undefined);
    for (const client of [this.redis, this.adapterPub, this.adapterSub]) {
      await client.quit().catch(() => client.disconnect().catch(() => undefined));
    }
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.redis.set(nodeKey(this.nodeId), JSON.stringify({ pid: process.pid, at: Date.now() }), {
        PX: this.#deadAfterMs,
      });
    } catch (err) {
      // Redis down: the client reconnects by itself; the next beat writes the key again.
      logger.warn({ err: (err as Error).message }, 'heartbeat not written');
    }
  }
}

function newClient(url: string, ca: string | null): RedisClient {
  const client: RedisClient = createClient({
    url,
    socket: {
      // rediss://: TLS, verified against the private CA when one is given (the subscriber's duplicate() too).
      ...redisTlsOptions(url, ca),
      // Retry for ever (Redis restarts are expected), at most every 2 s.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      connectTimeout: 3000,
    },
  });
  // Without a listener an 'error' event would crash the process on every lost connection.
  client.on('error', (err: unknown) => logger.warn({ err: (err as Error).message }, 'redis connection error'));
  return client;
}

/**
 * Connects and makes one round trip. A Redis that wants a password accepts the connection and refuses every
 * command (NOAUTH), and a wrong password makes the client retry for ever (WRONGPASS): both, and a Redis that
 * does not answer within `timeoutMs`, become a start error instead of a cluster that silently does nothing.
 */
async function connectChecked(clients: RedisClient[], timeoutMs = 10_000): Promise<void> {
  let lastError = '';
  let refuse: (err: Error) => void = () => undefined;
  const refused = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  const onError = (err: unknown) => {
    lastError = (err as Error).message;
    // A certificate the CA does not vouch for never gets better by retrying either.
    if (/WRONGPASS|NOAUTH|NOPERM|certificate|self.signed/i.test(lastError)) refuse(new Error(lastError));
  };
  for (const client of clients) client.on('error', onError);
  const timer = setTimeout(() => refuse(new Error(lastError || `no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    await Promise.race([
      refused,
      (async () => {
        await Promise.all(clients.map((client) => client.connect()));
        await Promise.all(clients.map((client) => client.ping()));
      })(),
    ]);
  } finally {
    clearTimeout(timer);
    for (const client of clients) client.off('error', onError);
  }
}

/**
 * The socket.io Redis adapter publishes without handling the returned promise;
 * while Redis restarts a publish can reject (EPIPE), and an unhandled rejection
 * would end the process. Events published then are lost to other nodes (local
 * clients still get them) — the same as any message sent while Redis is down.
 */
function guardPublish(client: RedisClient): void {
  const publish = client.publish.bind(client);
  client.publish = ((...args: Parameters<RedisClient['publish']>) =>
    publish(...args).catch((err: unknown) => {
      logger.warn({ err: (err as Error).message }, 'event not published to other nodes (Redis unavailable)');
      return 0;
    })) as RedisClient['publish'];
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
