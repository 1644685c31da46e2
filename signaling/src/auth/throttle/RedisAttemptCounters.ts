/**
 * Failed sign-in counts in Redis, shared by every signaling node: INCR and
 * PEXPIRE in one MULTI (atomic, so two nodes counting the same key at once
 * both count), the block as a key with a PX expiry that Redis drops itself.
 */
import type { RedisClient } from '../../cluster/ClusterNode.ts';
import type { AttemptCounters } from './counters.ts';

const PREFIX = 'beacon:signin:';

export class RedisAttemptCounters implements AttemptCounters {
  readonly #redis: RedisClient;

  constructor(redis: RedisClient) {
    this.#redis = redis;
  }

  async increment(key: string, windowMs: number): Promise<number> {
    const counter = `${PREFIX}count:${key}`;
    const [count] = await this.#redis.multi().incr(counter).pExpire(counter, windowMs).exec();
    return Number(count);
  }

  async block(key: string, ms: number): Promise<void> {
    const block = `${PREFIX}block:${key}`;
    // GT keeps a longer block another node set meanwhile; a missing key takes the SET.
    const set = await this.#redis.set(block, '1', { PX: ms, NX: true });
    if (set === null) await this.#redis.pExpire(block, ms, 'GT');
  }

  async blockedFor(key: string): Promise<number> {
    const left = await this.#redis.pTTL(`${PREFIX}block:${key}`);
    return Math.max(left, 0);
  }

  async reset(key: string): Promise<void> {
    await this.#redis.del([`${PREFIX}count:${key}`, `${PREFIX}block:${key}`]);
  }
}
