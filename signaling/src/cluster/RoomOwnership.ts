/**
 * Which signaling node runs each room: the single-owner scheme that
 * serialises room get-or-create across nodes. The first node a participant
 * of a room reaches claims it (SET NX); every other node forwards that room's
 * events to the owner (ForwardedRooms). The owner renews its claims; when it
 * dies its heartbeat expires and the next node that needs the room takes it
 * over (compare-and-set, so two nodes cannot both win).
 */
import type { ClusterNode } from './ClusterNode.ts';

const ownerKey = (roomId: string) => `beacon:room:${roomId}:owner`;

// KEYS[1] owner key, ARGV[1] expected (dead) owner, ARGV[2] new owner, ARGV[3] ttl ms.
const TAKE_OVER = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ARGV[2]
end
return current`;

// KEYS[1] owner key, ARGV[1] me, ARGV[2] ttl ms. Re-claims a key lost with a Redis restart.
const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RoomOwnershipOptions {
  /** Claims expire this long after the last renewal. Default 15000. */
  ttlMs?: number;
}

export class RoomOwnership {
  readonly #node: ClusterNode;
  readonly #ttlMs: number;

  constructor(node: ClusterNode, opts: RoomOwnershipOptions = {}) {
    this.#node = node;
    this.#ttlMs = opts.ttlMs ?? 15_000;
  }

  /** The room's owner, claiming it for this node when nobody (alive) owns it. */
  async claim(roomId: string): Promise<string> {
    const { redis, nodeId } = this.#node;
    const key = ownerKey(roomId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const set = await redis.set(key, nodeId, { NX: true, PX: this.#ttlMs });
      if (set === 'OK') return nodeId;
      const owner = await redis.get(key);
      if (owner === null) continue; // expired in between: try again
      if (!(await this.#node.isDead(owner))) return owner;
      const winner = (await redis.eval(TAKE_OVER, {
        keys: [key],
        arguments: [owner, nodeId, String(this.#ttlMs)],
      })) as string;
      return winner;
    }
    return nodeId;
  }

  /** Takes the room from `deadOwner` (known gone); returns whoever owns it afterwards. */
  async takeOver(roomId: string, deadOwner: string): Promise<string> {
    return (await this.#node.redis.eval(TAKE_OVER, {
      keys: [ownerKey(roomId)],
      arguments: [deadOwner, this.#node.nodeId, String(this.#ttlMs)],
    })) as string;
  }

  /** The owner if any (alive or not), without claiming. */
  owner(roomId: string): Promise<string | null> {
    return this.#node.redis.get(ownerKey(roomId));
  }

  /** Renews this node's claims; returns the rooms it no longer owns. */
  async renew(roomIds: Iterable<string>): Promise<string[]> {
    const lost: string[] = [];
    for (const roomId of roomIds) {
      const kept = await this.#node.redis.eval(RENEW, {
        keys: [ownerKey(roomId)],
        arguments: [this.#node.nodeId, String(this.#ttlMs)],
      });
      if (kept !== 1) lost.push(roomId);
    }
    return lost;
  }

  async release(roomId: string): Promise<void> {
    await this.#node.redis.eval(RELEASE, { keys: [ownerKey(roomId)], arguments: [this.#node.nodeId] });
  }
}
