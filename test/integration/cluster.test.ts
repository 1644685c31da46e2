/**
 * Cluster mode (REDIS_URL set): two signaling nodes share Redis and one store. A
 * room runs on the node that claimed it; a participant whose socket reached
 * the other node is served through it (events forwarded to the owner, the
 * owner's emits delivered by the socket.io Redis adapter). When the owner
 * goes, participants elsewhere are asked to re-join and the room comes back
 * on a live node; a Redis restart loses nothing.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';
import { SignalingClient } from '../src/signaling.ts';
import { login, makeDataDir, startTestNode, type TestNode } from './helpers.ts';

const ROOM = 'city-weekly';
const SECRET = 'cluster-test-secret-'.padEnd(40, 'x');

async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const received = (client: SignalingClient, event: string) => client.events.filter((e) => e.event === event);

describe.skipIf(redisUnavailableReason !== null)(
  `two signaling nodes on Redis${redisUnavailableReason ? ` (skipped: ${redisUnavailableReason})` : ''}`,
  () => {
    let redis: RedisServer;
    let a: TestNode;
    let b: TestNode;
    const clients: SignalingClient[] = [];

    const client = async (node: TestNode, username: string) => {
      const c = await SignalingClient.connect(node.node.url, await login(node.node.url, username));
      clients.push(c);
      return c;
    };

    beforeAll(async () => {
      redis = await startRedis();
      const dataDir = await makeDataDir();
      const env = { REDIS_URL: redis.url, BEACON_JWT_SECRET: SECRET, BEACON_RECONNECT_GRACE_MS: '1500' };
      // One store for both (a shared SQLite file here; PostgreSQL in production).
      a = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-a' } });
      b = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-b' } });
    });

    afterAll(async () => {
      for (const c of clients) c.socket.close();
      // Node A was closed by a test and started again; stopping twice is harmless.
      await a?.stop({ keepData: true });
      await b?.stop();
      await redis?.stop();
    });

    it('a participant on the other node joins the room, sees and is seen, chats, is muted and leaves', async () => {
      const chair = await client(a, 'chair');
      await chair.join(ROOM);
      const township = await client(b, 'lucheng');
      const joined = await township.join(ROOM);
      // The join ran on node A: the township sees the chair, who joined there.
      expect(joined.peers.map((p) => (p as { displayName: string }).displayName)).toContain('市领导');
      const townshipPeer = joined.peerId;
      await until(() => chair.peers.get(townshipPeer), 'the chair to see the township');

      const message = await township.ok('chat:send', { text: '鹿城镇收到' });
      expect(message.text).toBe('鹿城镇收到');
      await until(
        () => received(chair, 'chat:message').some((e) => (e.data as { text: string }).text === '鹿城镇收到'),
        'the chair to get the chat message',
      );

      // Control state crosses nodes both ways: the township's request reaches the chair, the chair's lock the township.
      await township.ok('speak:request', {});
      await until(
        () => chair.state?.speakQueue.some((r) => r.peerId === townshipPeer),
        'the chair to see the speak request',
      );
      await chair.ok('moderation:lock', { locked: true });
      await until(() => township.state?.locked === true, 'the township to see the room locked');
      await chair.ok('moderation:lock', { locked: false });

      await township.ok('room:leave', {});
      await until(() => !chair.peers.has(townshipPeer), 'the chair to see the township leave');
    });

    it('presence crosses nodes: a terminal on node B is online and in the meeting on node A’s map, once', async () => {
      const duty = await client(a, 'duty');
      const onA = async () => {
        const res = await fetch(`${a.node.url}/api/v1/presence`, {
          headers: { authorization: `Bearer ${await login(a.node.url, 'duty')}` },
        });
        return ((await res.json()) as { townshipId: string; videoOnline: boolean; inMeeting: string | null }[]).find(
          (p) => p.townshipId === 'xincun',
        );
      };
      expect(await onA()).toMatchObject({ videoOnline: false, inMeeting: null });
      const terminal = await client(b, 'xincun');
      await until(async () => (await onA())?.videoOnline, '新村镇 online on node A');
      await terminal.join(ROOM);
      await until(async () => (await onA())?.inMeeting === ROOM, '新村镇 in the meeting on node A');
      const updates = () =>
        received(duty, 'presence:updated').filter((e) => (e.data as { townshipId: string }).townshipId === 'xincun');
      await until(() => updates().some((e) => (e.data as { inMeeting: string | null }).inMeeting === ROOM), 'the push');
      // Each change reaches the duty officer once, not once per node.
      const keys = updates().map((e) => JSON.stringify(e.data));
      expect(new Set(keys).size).toBe(keys.length);
      terminal.socket.disconnect();
      await until(async () => (await onA())?.videoOnline === false, '新村镇 offline on node A');
    });

    it('a lost connection on the other node is held as reconnecting and then leaves, as on one node', async () => {
      const chair = clients[0] as SignalingClient;
      const township = await client(b, 'donggua');
      const { peerId } = await township.join(ROOM);
      await until(() => chair.peers.get(peerId), 'the chair to see 东瓜镇');
      // The transport dies (not a polite disconnect): node B tells node A, which holds the peer.
      (township.socket as unknown as Socket).io.engine.close();
      await until(() => chair.peers.get(peerId)?.connection === 'reconnecting', 'reconnecting', 10_000);
      await until(() => !chair.peers.has(peerId), 'left after the grace period', 10_000);
    });

    it('a polite disconnect on the other node leaves at once', async () => {
      const chair = clients[0] as SignalingClient;
      const township = await client(b, 'lvhe');
      const { peerId } = await township.join(ROOM);
      await until(() => chair.peers.get(peerId), 'the chair to see 吕合镇');
      township.socket.disconnect();
      await until(() => !chair.peers.has(peerId), 'the chair to see 吕合镇 leave', 5_000);
    });

    it('when the room’s node goes, participants on the other node are asked to re-join, and the room comes back there', async () => {
      const township = await client(b, 'zixi');
      await township.join(ROOM);
      await a.node.close();
      await until(
        () => received(township, 'room:recreated').find((e) => (e.data as { roomId: string }).roomId === ROOM),
        'room:recreated from node B',
        10_000,
      );
      const again = await township.ok('room:join', { roomId: ROOM });
      expect(again.peers).toEqual([]);
      expect(await b.node.cluster?.redis.get(`beacon:room:${ROOM}:owner`)).toBe('node-b');
    });

    it('Redis restarts: the room keeps its node and participants, and cross-node joins go on', async () => {
      // Node A is back (a restarted process); the room now runs on node B.
      a = await startTestNode({
        dataDir: b.dataDir,
        env: { REDIS_URL: redis.url, BEACON_JWT_SECRET: SECRET, BEACON_NODE_ID: 'node-a2' },
      });
      const chair = await client(a, 'chair');
      const before = await chair.join(ROOM);
      expect(before.peers).toHaveLength(1);

      await redis.restart();
      // Node B re-claims its room as soon as its connection is back.
      await until(
        async () => (await b.node.cluster?.redis.get(`beacon:room:${ROOM}:owner`).catch(() => null)) === 'node-b',
        'node B to re-claim the room',
        15_000,
      );
      await until(() => a.node.cluster?.isAlive('node-b'), 'node B’s heartbeat to be back', 10_000);
      const township = await client(a, 'sanjie');
      const joined = await township.join(ROOM);
      expect(joined.peers).toHaveLength(2);
      await until(() => chair.peers.get(joined.peerId), 'the chair to see 三街镇 join after the restart', 10_000);
      expect(received(chair, 'room:recreated')).toEqual([]);
    });
  },
);
