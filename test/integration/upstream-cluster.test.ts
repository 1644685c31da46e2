/**
 * The link up (上联) with two signaling nodes on Redis: the room's owner runs
 * its one link; a chair whose socket reached the other node connects,
 * watches and disconnects it through the owner (the upstream events are room
 * events, forwarded like any other), and the other node never makes a link of
 * its own. No gateway here: the owner's link waits to redial for want of one
 * (`sip_unavailable`), which is enough to see where it runs.
 */
import type { UpstreamStatus } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';
import { SignalingClient } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';
import { login, makeDataDir, startTestNode, type TestNode } from './helpers.ts';

const ROOM = 'city-weekly';
const SECRET = 'upstream-cluster-secret-'.padEnd(40, 'x');

describe.skipIf(redisUnavailableReason !== null)(
  `the link up on two signaling nodes${redisUnavailableReason ? ` (skipped: ${redisUnavailableReason})` : ''}`,
  () => {
    let redis: RedisServer;
    let a: TestNode;
    let b: TestNode;
    const clients: SignalingClient[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      const dataDir = await makeDataDir();
      const env = {
        REDIS_URL: redis.url,
        BEACON_JWT_SECRET: SECRET,
        BEACON_UPSTREAM_URI: 'sip:6001@10.53.0.8:5060',
      };
      a = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-a' } });
      b = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-b' } });
    });

    afterAll(async () => {
      for (const c of clients) c.socket.close();
      await a?.stop({ keepData: true });
      await b?.stop();
      await redis?.stop();
    });

    const chairOn = async (node: TestNode, username: string) => {
      const c = await SignalingClient.connect(node.node.url, await login(node.node.url, username));
      clients.push(c);
      await c.join(ROOM);
      return c;
    };
    const lastStatus = (c: SignalingClient) =>
      c.events.filter((e) => e.event === 'upstream:status').at(-1)?.data as UpstreamStatus | undefined;

    it('a chair on the other node drives the owner’s one link and sees its state', async () => {
      // The chair on node A joins first: node A owns the room.
      const chairA = await chairOn(a, 'chair');
      const chairB = await chairOn(b, 'admin');

      const connected = await chairB.ok('upstream:connect', {});
      // The owner's link answered: it has no gateway to dial through, so it waits to redial.
      expect(connected).toMatchObject({ configured: true, state: 'redialling', reason: 'sip_unavailable' });
      expect(a.node.sip.upstream.status(ROOM).state).toBe('redialling');
      expect(a.node.sip.upstream.link(ROOM)?.wanted).toBe(true);
      // Node B made no link of its own.
      expect(b.node.sip.upstream.status(ROOM)).toMatchObject({ state: 'idle', attempts: 0 });
      // Both chairs are told, whichever node their socket is on.
      for (const chair of [chairA, chairB]) {
        await waitFor(
          'the link status pushed',
          async () => lastStatus(chair),
          (s) => s?.state === 'redialling',
          {
            timeoutMs: 10_000,
          },
        );
      }
      await a.node.sip.upstream.flush();
      expect(await a.node.store.upstreamLinks.wanted()).toEqual([{ roomId: ROOM, sendMuted: false }]);

      // Muted and disconnected from node B, done on node A.
      expect(await chairB.ok('upstream:mute', { muted: true })).toMatchObject({ sendMuted: true });
      expect(a.node.sip.upstream.status(ROOM).sendMuted).toBe(true);
      expect(await chairB.ok('upstream:disconnect', {})).toMatchObject({ state: 'idle' });
      await waitFor(
        'the chair on node A told',
        async () => lastStatus(chairA),
        (s) => s?.state === 'idle',
        {
          timeoutMs: 10_000,
        },
      );
      await a.node.sip.upstream.flush();
      expect(await a.node.store.upstreamLinks.wanted()).toEqual([]);
      expect(b.node.sip.upstream.status(ROOM).state).toBe('idle');
    });
  },
);
