/**
 * Node-to-node messages are sealed: two signaling nodes on a real Redis, and
 * someone else who can publish on it. A request forged onto the room owner's
 * channel (a chair's claims, written by the forger) is dropped and counted,
 * as are one sealed with another key and a genuine one replayed; a genuine
 * cross-node join still works.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSeal } from '../../signaling/src/cluster/ClusterSeal.ts';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';
import { connect, login, makeDataDir, ok, startTestNode, type TestClient, type TestNode } from './helpers.ts';

const ROOM = 'city-weekly';
const SECRET = 'cluster-seal-test-secret-'.padEnd(40, 'x');

async function rejected(node: TestNode, reason: string): Promise<number> {
  const text = await (await fetch(`${node.node.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`beacon_cluster_messages_rejected_total{reason="${reason}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** A room:join as node B would forward it, with a chair's claims the forger made up. */
function forgedJoin() {
  return {
    kind: 'request',
    id: randomUUID(),
    from: 'node-b',
    body: {
      kind: 'event',
      socketId: `forged-${randomUUID()}`,
      claims: { userId: 'u-chair', username: 'chair', displayName: '伪造', role: 'chair', townshipId: null },
      event: 'room:join',
      payload: { roomId: ROOM },
    },
  };
}

describe.skipIf(redisUnavailableReason !== null)(
  `sealed cluster messages${redisUnavailableReason ? ` (skipped: ${redisUnavailableReason})` : ''}`,
  () => {
    let redis: RedisServer;
    let a: TestNode;
    let b: TestNode;
    const sockets: TestClient[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      const dataDir = await makeDataDir();
      const env = { REDIS_URL: redis.url, BEACON_JWT_SECRET: SECRET };
      a = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-a' } });
      b = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-b' } });
    });

    afterAll(async () => {
      for (const socket of sockets) socket.close();
      await a?.stop({ keepData: true });
      await b?.stop();
      await redis?.stop();
    });

    it('drops forged, wrongly sealed and replayed requests; a genuine cross-node join still works', async () => {
      const host = await connect(a.node.url, await login(a.node.url, 'duty'));
      sockets.push(host);
      await ok(host, 'room:join', { roomId: ROOM });
      expect(await a.node.cluster?.redis.get(`beacon:room:${ROOM}:owner`)).toBe('node-a');
      const redisClient = a.node.cluster?.redis;
      if (!redisClient) throw new Error('node A is not in cluster mode');
      const publish = (message: string) => redisClient.publish('beacon:rpc:node-a', message);

      // Unsealed, as any client of Redis could write it.
      const malformedBefore = await rejected(a, 'malformed');
      expect(await publish(JSON.stringify(forgedJoin()))).toBe(1);
      await expect.poll(() => rejected(a, 'malformed'), { timeout: 10_000 }).toBe(malformedBefore + 1);
      // Sealed, but with a key that is not the cluster's.
      const wrongKey = new ClusterSeal(new TextEncoder().encode('not-the-cluster-key-'.padEnd(40, 'y')));
      await publish(wrongKey.seal(forgedJoin()));
      await expect.poll(() => rejected(a, 'bad_signature'), { timeout: 10_000 }).toBe(1);
      expect(a.node.rooms.participantCount(ROOM)).toBe(1);

      // A genuine join from node B is forwarded to A: capture it on the way, then replay it after B's client left.
      const tap = await redisClient.duplicate();
      await tap.connect();
      const captured: string[] = [];
      await tap.subscribe('beacon:rpc:node-a', (message: string) => {
        captured.push(message);
      });
      const township = await connect(b.node.url, await login(b.node.url, 'donggua'));
      sockets.push(township);
      await ok(township, 'room:join', { roomId: ROOM });
      expect(a.node.rooms.participantCount(ROOM)).toBe(2);
      const join = captured[0];
      if (!join) throw new Error('the forwarded join was not seen on Redis');
      await ok(township, 'room:leave', {});
      await expect.poll(() => a.node.rooms.participantCount(ROOM)).toBe(1);
      await publish(join);
      await expect.poll(() => rejected(a, 'replayed'), { timeout: 10_000 }).toBe(1);
      expect(a.node.rooms.participantCount(ROOM)).toBe(1);
      await tap.quit();
      await ok(host, 'room:leave', {});
    });
  },
);
