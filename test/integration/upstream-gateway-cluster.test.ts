/**
 * The link up (上联) when the room's owner is not the node the SIP gateway is
 * connected to. Two signaling nodes on one Redis and one store: node B runs
 * the gateway (and its Kamailio) as a process, node A has none and owns the
 * meeting (its chair joined first). Node A's link dials through node B's
 * gateway (relayed over the sealed cluster channel), the call's progress
 * comes back to A, the leg's room audio is tapped on A, and the upstream's
 * own call-in, landing on B, is handed to A's link (one driver). SIPp on
 * 127.0.0.2 plays the province: its conference answering our dial
 * (uas-answer.xml), then its MCU calling in (uac-upstream.xml). A phone
 * dial-out from node A's chair takes the same way.
 */
import type { PeerInfo, UpstreamStatus } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock, freeUdpPort } from '../src/ports.ts';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';
import { apiJson, loginApi, SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, type SippHandle, startSipp } from '../src/sipp.ts';
import { waitFor } from '../src/waitFor.ts';
import { makeDataDir, startTestNode, type TestNode } from './helpers.ts';

const unavailable = redisUnavailableReason ?? (isSippAvailable() ? null : 'sipp (sip-tester) is not installed');

const ROOM = 'city-weekly';
const PROVINCE = '127.0.0.2';
const UPSTREAM_LABEL = '上级会场';
const SECRET = 'upstream-gateway-cluster-'.padEnd(40, 'x');

describe.skipIf(unavailable !== null)(
  `the link up through another node's gateway${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let redis: RedisServer | undefined;
    let gatewayNode: SipBeacon | undefined;
    let owner: TestNode | undefined;
    let upstreamPort = 0;
    const clients: SignalingClient[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      const dataDir = await makeDataDir();
      upstreamPort = await freeUdpPort();
      // Every node has the same settings, as a deployment's nodes do (a room tap runs on the room's owner and
      // is checked against the gateway's RTP ports there).
      const rtpMin = await freePortBlock(100);
      const env = {
        REDIS_URL: redis.url,
        BEACON_JWT_SECRET: SECRET,
        BEACON_UPSTREAM_URI: `sip:6001@${PROVINCE}:${upstreamPort}`,
        BEACON_SIP_PEERS: PROVINCE,
        BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
        BEACON_SIP_RTP_PORT_MAX: String(rtpMin + 99),
      };
      gatewayNode = await startSipBeacon({
        dataDir,
        rtpTimeoutMs: 120_000,
        env: { ...env, BEACON_NODE_ID: 'node-b' },
      });
      owner = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-a' } });
    }, 120_000);

    afterAll(async () => {
      for (const client of clients) client.close();
      await owner?.stop({ keepData: true });
      await gatewayNode?.stop();
      await redis?.stop();
    });

    /** A chair in the meeting through `url`, following the link's status. */
    async function chairVia(url: string, username: string) {
      const { token } = await loginApi(url, username);
      const client = await SignalingClient.connect(url, token);
      clients.push(client);
      const statuses: UpstreamStatus[] = [];
      client.socket.on('upstream:status', (status) => statuses.push(status));
      await client.join(ROOM);
      return { client, statuses };
    }

    const upstreamPeer = (client: SignalingClient): PeerInfo | undefined =>
      [...client.peers.values()].find((p) => p.displayName === UPSTREAM_LABEL);
    const connectedAudits = async () =>
      (
        await apiJson<{ action: string; detail: { incoming?: boolean } }[]>(
          (gatewayNode as SipBeacon).beacon.url,
          (gatewayNode as SipBeacon).adminToken,
          '/api/v1/audit?limit=100',
        )
      ).filter((a) => a.action === 'upstream.connected');

    it('the owner’s link dials the province through the other node’s gateway, and takes its call-in there', async () => {
      const a = owner as TestNode;
      const b = gatewayNode as SipBeacon;
      // Node A learns from Redis that node B's gateway takes calls.
      await waitFor('node A sees node B’s gateway', async () => a.node.sip.canCall, Boolean, { timeoutMs: 20_000 });
      expect(a.node.sip.available).toBe(false);

      // The chair on node A joins first: node A owns the meeting.
      const chairA = await chairVia(a.node.url, 'chair');
      const chairB = await chairVia(b.beacon.url, 'admin');
      const conference: SippHandle = await startSipp({
        scenario: 'uas-answer.xml',
        target: `127.0.0.1:${b.sip.port}`,
        localIp: PROVINCE,
        localPort: upstreamPort,
        pauseMs: 0,
        calls: 1,
        timeoutMs: 120_000,
      });
      try {
        const dialledAt = Date.now();
        expect(await chairA.client.ok('upstream:connect', {})).toMatchObject({ state: 'dialling' });
        for (const chair of [chairA, chairB]) {
          await waitFor(
            'the link connected, told to both chairs',
            async () => chair.statuses.at(-1),
            (s) => s?.state === 'connected',
            { timeoutMs: 30_000 },
          );
        }
        expect(chairB.statuses.at(-1)).toMatchObject({ incoming: false, attempts: 0 });
        await waitFor('the upstream tile', async () => upstreamPeer(chairA.client), Boolean, { timeoutMs: 20_000 });
        console.info(`link dialled through the other node → tile: ${((Date.now() - dialledAt) / 1000).toFixed(2)} s`);
        // Muted from node B, done by node A's link, carried out by node B's gateway: still one call, still up.
        expect(await chairB.client.ok('upstream:mute', { muted: true })).toMatchObject({ sendMuted: true });
        expect(a.node.sip.upstream.status(ROOM)).toMatchObject({ state: 'connected', sendMuted: true });
        expect(await chairB.client.ok('upstream:mute', { muted: false })).toMatchObject({ sendMuted: false });
        // The leg's room audio was tapped on node A: a tap refused there would have ended the call (join_failed).
        expect(upstreamPeer(chairA.client)).toBeDefined();
        expect(chairA.statuses.map((s) => s.state)).not.toContain('redialling');

        expect(await chairA.client.ok('upstream:disconnect', {})).toMatchObject({ state: 'idle' });
        const answered = await conference.done;
        // uas-answer.xml ends when the city hangs up: the BYE came from node B's gateway.
        expect(answered.exitCode, answered.errors || answered.messages.slice(-2000)).toBe(0);
        await waitFor(
          'node B’s chair told the link is down',
          async () => chairB.statuses.at(-1),
          (s) => s?.state === 'idle',
          { timeoutMs: 20_000 },
        );
      } finally {
        await conference.stop();
      }
      await waitFor(
        'the upstream tile gone',
        async () => upstreamPeer(chairA.client),
        (p) => p === undefined,
        { timeoutMs: 20_000 },
      );

      // The province's MCU calls the meeting's number: the call lands on node B, node A's link takes it.
      const before = (await connectedAudits()).length;
      const calledAt = Date.now();
      const mcu: SippHandle = await startSipp({
        scenario: 'uac-upstream.xml',
        target: `127.0.0.1:${b.sip.port}`,
        localIp: PROVINCE,
        service: '6001',
        calls: 1,
        timeoutMs: 90_000,
      });
      try {
        for (const chair of [chairA, chairB]) {
          await waitFor(
            'the link connected by the call in',
            async () => chair.statuses.at(-1),
            (s) => s?.state === 'connected',
            { timeoutMs: 30_000 },
          );
          expect(chair.statuses.at(-1)).toMatchObject({ incoming: true });
        }
        expect(a.node.sip.upstream.status(ROOM)).toMatchObject({ state: 'connected', incoming: true });
        await waitFor('the upstream tile', async () => upstreamPeer(chairB.client), Boolean, { timeoutMs: 20_000 });
        console.info(
          `call-in on the gateway's node → tile on the owner: ${((Date.now() - calledAt) / 1000).toFixed(2)} s`,
        );
        expect(await chairB.client.ok('upstream:disconnect', {})).toMatchObject({ state: 'idle' });
        const result = await mcu.done;
        expect(result.exitCode, result.errors || result.messages.slice(-2000)).toBe(0);
        expect(result.messages).not.toMatch(/SIP\/2\.0 407/);
      } finally {
        await mcu.stop();
      }
      // One driver: a single link came up for the call-in (node B made none of its own).
      const after = await connectedAudits();
      expect(after.length - before).toBe(1);
      expect(after[0]?.detail).toMatchObject({ incoming: true });
      await a.node.sip.upstream.flush();
      expect(await a.node.store.upstreamLinks.wanted()).toEqual([]);
    }, 200_000);

    it('a chair on the owner node rings a desk phone through the other node’s gateway', async () => {
      const a = owner as TestNode;
      const b = gatewayNode as SipBeacon;
      const chairA = await chairVia(a.node.url, 'chair');
      const states: { requestId: string; state: string }[] = [];
      chairA.client.socket.on('phone:dial:state', (s) => states.push(s));
      // 东瓜镇's desk phone, registered with node B's Kamailio, answers.
      const phone = await startSipp({
        scenario: 'uas-answer.xml',
        target: `127.0.0.1:${b.sip.port}`,
        register: { user: '8002', password: await b.phonePassword('8002') },
        pauseMs: 0,
        timeoutMs: 120_000,
      });
      try {
        await waitFor(
          'the phone registered',
          () => b.status(),
          (s) => s.registrations.some((r) => r.extension === '8002' && r.registered),
          { timeoutMs: 30_000, intervalMs: 250 },
        );
        const { requestId } = await chairA.client.ok('phone:dial', { extension: '8002' });
        await waitFor(
          'the dial answered, told to the chair on node A',
          async () => states.find((s) => s.requestId === requestId && s.state === 'answered'),
          Boolean,
          { timeoutMs: 30_000 },
        );
        await waitFor(
          'the phone in the room',
          async () => [...chairA.client.peers.values()].find((p) => p.device === 'phone'),
          Boolean,
          { timeoutMs: 20_000 },
        );
      } finally {
        await phone.stop();
      }
    }, 120_000);
  },
);
