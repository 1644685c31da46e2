/**
 * Kill -9 of Redis under two signaling nodes (REDIS_URL, one store) while a meeting spans them: the chair's
 * socket is on node A, 紫溪镇's on node B, both in 全市周例会. Redis is killed and started again at once on the
 * same port (a service manager's restart). Measured from the kill: until a chat line 紫溪镇 sends through node B
 * reaches the chair on node A (cross-node events flow again).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { startRedis } from '../src/redisServer.ts';
import { loginApi, SignalingClient } from '../src/signaling.ts';
import { type FaultFigures, secondsUntil } from './faultFigures.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const ROOM = 'city-weekly';
const LIMIT_MS = 60_000;

export async function redisFault(options: FuzzOptions): Promise<FaultFigures> {
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-fuzz-redis-'));
  const env = {
    LOG_LEVEL: options.FUZZ_LOG_LEVEL,
    REDIS_URL: redis.url,
    BEACON_JWT_SECRET: randomBytes(32).toString('base64url'),
  };
  const clients: SignalingClient[] = [];
  const a = await startBeaconProcess({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-a' } });
  // The store is shared and seeded already: node B starts on it as a second node of a deployment does.
  const b = await startBeaconProcess({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-b' }, seed: 'beacon' });
  try {
    const chair = await SignalingClient.connect(a.url, (await loginApi(a.url, 'chair')).token);
    const zixi = await SignalingClient.connect(b.url, (await loginApi(b.url, 'zixi')).token);
    clients.push(chair, zixi);
    await chair.join(ROOM);
    await zixi.join(ROOM);
    let probe = 0;
    /** Sends a numbered chat line from node B; true once any line sent since `from` reached the chair. */
    const flows = (from: number) => async () => {
      const text = `probe-${++probe}`;
      await zixi.request('chat:send', { text }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 150));
      return chair.events.some(
        (e) => e.event === 'chat:message' && Number((e.data as { text: string }).text.slice(6)) >= from,
      );
    };
    if ((await secondsUntil(performance.now(), flows(1), 15_000)) === null) {
      throw new Error('no chat line crossed the nodes before the kill');
    }
    const killedAt = performance.now();
    await redis.restart();
    const backAfter = ((performance.now() - killedAt) / 1000).toFixed(2);
    const seconds = await secondsUntil(killedAt, flows(probe + 1), LIMIT_MS, 100);
    const recreated = chair.events.filter((e) => e.event === 'room:recreated').length;
    return {
      fault: 'Redis (kill -9, restarted at once; 2 nodes)',
      recovered: seconds !== null,
      secondsToRecover: seconds,
      recoveredWhen: 'a chat line from node B reaches the chair on node A',
      ackedButLost: null,
      note: `Redis itself back after ${backAfter} s; the chair was asked to re-join ${recreated} time(s)`,
    };
  } finally {
    for (const c of clients) c.close();
    await b.stop();
    await a.stop();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
