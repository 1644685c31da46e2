/**
 * Township presence across signaling nodes, shared through Redis so every node
 * sees all of it. Each node knows only its own sockets and the rooms
 * it runs; a duty officer on node A must still see 鹿城镇 online when its
 * terminal reached node B, and in the meeting node C runs. So every node
 * publishes its own view per township and merges everyone else's:
 *
 *   beacon:presence:node:<nodeId>   hash townshipId → {"online":…,"meeting":…}  (read at start)
 *   beacon:presence                 channel of changes {nodeId, townshipId, online, meeting}
 *
 * Every node computes the same merged view and tells only its own staff
 * sockets (CommandEmitter uses io.local for presence), so nobody hears a
 * change twice. A dead node's view is dropped; after a Redis restart every
 * node publishes its view again.
 */
import { z } from 'zod';
import type { LocalPresence, Presence, PresenceMirror } from '../command/Presence.ts';
import { createLogger } from '../logger.ts';
import type { ClusterNode, RedisClient } from './ClusterNode.ts';
import { parseRedisJson } from './redisJson.ts';

const logger = createLogger('ClusterPresence');

const CHANNEL = 'beacon:presence';
const hashKey = (nodeId: string) => `beacon:presence:node:${nodeId}`;
const viewSchema = z.object({ online: z.boolean(), meeting: z.string().nullable() });
const messageSchema = viewSchema.extend({ nodeId: z.string(), townshipId: z.string() });

const NOBODY: LocalPresence = { online: false, meeting: null };

export class ClusterPresence implements PresenceMirror {
  readonly #node: ClusterNode;
  readonly #presence: Presence;
  /** nodeId → townshipId → that node's view */
  readonly #remote = new Map<string, Map<string, LocalPresence>>();
  #sub: RedisClient | null = null;
  #timer: NodeJS.Timeout | undefined;
  readonly #onReady = () => this.#presence.republish();

  constructor(node: ClusterNode, presence: Presence) {
    this.#node = node;
    this.#presence = presence;
  }

  async start(): Promise<void> {
    this.#sub = await this.#node.subscriber();
    await this.#sub.subscribe(CHANNEL, (raw: string) => this.#onMessage(raw));
    for await (const key of this.#node.redis.scanIterator({ MATCH: hashKey('*'), COUNT: 100 })) {
      const nodeId = key.slice(hashKey('').length);
      if (nodeId === this.#node.nodeId || !(await this.#node.isAlive(nodeId))) continue;
      for (const [townshipId, raw] of Object.entries(await this.#node.redis.hGetAll(key))) {
        const view = parseRedisJson(viewSchema, raw);
        if (view) this.#set(nodeId, townshipId, view);
      }
    }
    this.#presence.setMirror(this);
    this.#node.redis.on('ready', this.#onReady);
    this.#timer = setInterval(() => void this.#dropDeadNodes(), 3000);
    this.#timer.unref();
  }

  remote(townshipId: string): LocalPresence {
    let online = false;
    let meeting: string | null = null;
    for (const views of this.#remote.values()) {
      const view = views.get(townshipId) ?? NOBODY;
      online ||= view.online;
      meeting ??= view.meeting;
    }
    return { online, meeting };
  }

  publish(townshipId: string, local: LocalPresence): void {
    const { redis, nodeId } = this.#node;
    const json = JSON.stringify(local);
    Promise.all([
      redis.hSet(hashKey(nodeId), townshipId, json),
      redis.publish(CHANNEL, JSON.stringify({ nodeId, townshipId, ...local })),
    ]).catch((err: unknown) => {
      // Redis down: on its return `ready` republishes everything.
      logger.warn({ err: (err as Error).message, townshipId }, 'presence not published');
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#node.redis.off('ready', this.#onReady);
    await this.#node.redis.del(hashKey(this.#node.nodeId)).catch(() => undefined);
    await this.#sub?.quit().catch(() => undefined);
  }

  #onMessage(raw: string): void {
    const message = parseRedisJson(messageSchema, raw);
    if (!message || message.nodeId === this.#node.nodeId) return;
    const { nodeId, townshipId, online, meeting } = message;
    this.#set(nodeId, townshipId, { online, meeting });
    this.#presence.refresh(townshipId);
  }

  #set(nodeId: string, townshipId: string, view: LocalPresence): void {
    let views = this.#remote.get(nodeId);
    if (!views) {
      views = new Map();
      this.#remote.set(nodeId, views);
    }
    views.set(townshipId, view);
  }

  async #dropDeadNodes(): Promise<void> {
    try {
      for (const [nodeId, views] of [...this.#remote]) {
        if (!(await this.#node.isDead(nodeId))) continue;
        this.#remote.delete(nodeId);
        await this.#node.redis.del(hashKey(nodeId));
        logger.warn({ nodeId }, 'dropped the presence of a dead node');
        for (const townshipId of views.keys()) this.#presence.refresh(townshipId);
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'presence clean-up failed (Redis down?)');
    }
  }
}
