/**
 * The scaled-out deployment end to end (REDIS_URL, MEDIA_NODES, DATABASE_URL): nginx in front of two
 * signaling nodes (Redis cluster mode, one PostgreSQL store), which drive two
 * media nodes (separate processes that register themselves in Redis,
 * cascaded with PipeTransports). Three
 * Chromium terminals spread over both signaling nodes and both media nodes
 * see and hear each other; then a signaling node is killed, a media node is
 * killed and Redis restarts — each time everyone comes back with media and
 * nothing stored is lost. Times are measured and printed, not asserted.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { RemoteMediaControl } from '../../signaling/src/media-nodes/RemoteMediaControl.ts';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '../../signaling/src/store/testing/postgresServer.ts';
import type { BeaconProcess } from '../src/beaconProcess.ts';
import { conferenceState, liveInboundByPeer, loginThroughUi, remotePeerIds, waitForJoined } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { type LoadBalancer, nginxUnavailableReason, startLoadBalancer } from '../src/loadBalancer.ts';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';

const ROOM = 'city-weekly';
const unavailable = nginxUnavailableReason ?? redisUnavailableReason ?? postgresUnavailableReason() ?? null;

interface Member {
  user: string;
  page: Page;
  peerId: string;
}

/** Producers a media node hosts (from its heartbeat), read through its control channel like signaling does. */
async function nodeProducers(node: MediaNodeProcess, key: string): Promise<number> {
  const control = new RemoteMediaControl({ url: node.url, key });
  try {
    const beat = await new Promise<{ load: { producers: number } }>((resolve) => control.once('heartbeat', resolve));
    return beat.load.producers;
  } finally {
    await control.close();
  }
}

describe.skipIf(unavailable !== null)(
  `scaled out: 2 signaling + 2 media nodes + Redis${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const key = mediaNodeKey();
    let redis: RedisServer;
    const media: MediaNodeProcess[] = [];
    const signaling: BeaconProcess[] = [];
    let lb: LoadBalancer;
    const members: Member[] = [];
    const figures: string[] = [];
    // The terminals reach the cluster through the load balancer.
    const e2e = useE2e({
      async start(resources) {
        resources.defer(() => console.log(`scaled-out figures:\n  ${figures.join('\n  ')}`));
        let postgres: PostgresServer;
        [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
        resources.own(postgres, (p) => p.stop());
        resources.own(redis, (r) => r.stop());
        const databaseUrl = await postgres.createDatabase('beacon');
        media.push(
          ...(await Promise.all([
            // They register themselves in Redis; the signaling nodes discover them there (MEDIA_NODES=discover).
            startMediaNode({ nodeId: 'city-node', region: 'city', key, env: { MEDIA_NODE_REDIS_URL: redis.url } }),
            startMediaNode({ nodeId: 'county-node', region: 'county', key, env: { MEDIA_NODE_REDIS_URL: redis.url } }),
          ])),
        );
        resources.defer(() => Promise.all(media.map((node) => node.stop().catch(() => undefined))));
        const env = {
          REDIS_URL: redis.url,
          DATABASE_URL: databaseUrl,
          BEACON_JWT_SECRET: 'scaled-out-test-secret-'.padEnd(48, 'x'),
          MEDIA_NODES: 'discover',
          MEDIA_NODE_KEY: key,
          // 鹿城镇 near the city node, 东瓜镇 near the county node; the chair goes by load.
          BEACON_REGIONS: 'lucheng=city,donggua=county',
        };
        // One after the other: the first migrates and seeds the shared database.
        signaling.push(await resources.startBeacon({ env: { ...env, BEACON_NODE_ID: 'signaling-a' } }));
        signaling.push(await resources.startBeacon({ env: { ...env, BEACON_NODE_ID: 'signaling-b' } }));
        lb = resources.own(await startLoadBalancer(signaling.map((node) => node.url)), (l) => l.stop());
        return {
          url: lb.url,
          output: () => signaling.map((node, i) => `signaling ${i}:\n${node.output().slice(-3000)}`).join('\n'),
        };
      },
    });

    /** Each member's own peer id: the one the others see and it does not (peer ids change on re-join). */
    const resolvePeerIds = async () => {
      await expect
        .poll(
          async () => (await Promise.all(members.map((m) => remotePeerIds(m.page)))).every((ids) => ids.length === 2),
          {
            timeout: 20_000,
          },
        )
        .toBe(true);
      const views = await Promise.all(members.map((m) => remotePeerIds(m.page)));
      const all = new Set(views.flat());
      members.forEach((member, i) => {
        member.peerId = [...all].find((id) => !views[i]?.includes(id)) ?? '';
      });
      expect(members.every((m) => m.peerId !== '')).toBe(true);
    };

    /** Every member decodes video and receives audio from every other member. */
    const allSeeAndHearEachOther = async (timeout: number) => {
      for (const member of members) {
        for (const other of members) {
          if (other === member) continue;
          await expect
            .poll(async () => (await liveInboundByPeer(member.page))[other.peerId], { timeout, interval: 0 })
            .toEqual({ video: true, audio: true });
        }
      }
    };

    it('three terminals on both signaling nodes and both media nodes see and hear each other', async () => {
      // beacon_node picks the signaling node behind nginx: chair and 东瓜镇 on A, 鹿城镇 on B.
      for (const [user, node] of [
        ['chair', 0],
        ['lucheng', 1],
        ['donggua', 0],
      ] as const) {
        const page = await e2e.newPage(user);
        await page.context().addCookies([{ name: 'beacon_node', value: String(node), url: lb.url }]);
        await loginThroughUi(page, lb.url, user, 'beacon2026', `#/room/${ROOM}`);
        await waitForJoined(page);
        members.push({ user, page, peerId: '' });
      }
      await resolvePeerIds();
      await allSeeAndHearEachOther(30_000);
      // Both media nodes carry producers: the terminals really are spread (and piped between the nodes).
      const producers = await Promise.all(media.map((node) => nodeProducers(node, key)));
      figures.push(`producers per media node (city, county): ${producers.join(', ')}`);
      expect(producers.every((count) => count > 0)).toBe(true);
    });

    it('a signaling node dies: its terminal reconnects through the load balancer to the other and media resumes', async () => {
      const lucheng = members[1] as Member;
      const killedAt = Date.now();
      process.kill((signaling[1] as BeaconProcess).pid, 'SIGKILL');
      await expect.poll(() => conferenceState(lucheng.page), { timeout: 20_000, interval: 100 }).not.toBe('joined');
      await expect.poll(() => conferenceState(lucheng.page), { timeout: 20_000, interval: 100 }).toBe('joined');
      figures.push(`signaling node killed → 鹿城镇 joined again: ${Date.now() - killedAt} ms`);
      await resolvePeerIds();
      await allSeeAndHearEachOther(30_000);
      figures.push(`signaling node killed → media both ways again: ${Date.now() - killedAt} ms`);
    });

    it('a media node dies: its terminals come back on the other media node with media', async () => {
      const killedAt = Date.now();
      const before = new Set(members.map((m) => m.peerId));
      await (media[1] as MediaNodeProcess).kill();
      // Everyone re-joins (the room's media is rebuilt on the live node), so every peer id is new.
      await expect
        .poll(
          async () => {
            const views = await Promise.all(members.map((m) => remotePeerIds(m.page)));
            return views.every((ids) => ids.length === 2 && ids.every((id) => !before.has(id)));
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe(true);
      figures.push(`media node killed → everyone re-joined: ${Date.now() - killedAt} ms`);
      await resolvePeerIds();
      await allSeeAndHearEachOther(30_000);
      figures.push(`media node killed → all media again: ${Date.now() - killedAt} ms`);
      expect(await nodeProducers(media[0] as MediaNodeProcess, key)).toBeGreaterThanOrEqual(6);
    });

    it('Redis restarts: meetings go on, nothing stored is lost, and chat crosses nodes again', async () => {
      const chair = members[0] as Member;
      const donggua = members[2] as Member;
      const messageOn = (page: Page, text: string) =>
        page.locator('[data-testid="chat-message"]').filter({ hasText: text });
      await chair.page.getByTestId('chat-tab').click();
      await donggua.page.getByTestId('chat-tab').click();
      await chair.page.getByTestId('chat-input').fill('重启前的消息');
      await chair.page.getByTestId('chat-send').click();
      await expect.poll(() => messageOn(donggua.page, '重启前的消息').count(), { timeout: 10_000 }).toBe(1);

      const restartedAt = Date.now();
      await redis.restart();
      await allSeeAndHearEachOther(30_000);
      await donggua.page.getByTestId('chat-input').fill('重启后的消息');
      await donggua.page.getByTestId('chat-send').click();
      await expect.poll(() => messageOn(chair.page, '重启后的消息').count(), { timeout: 20_000 }).toBe(1);
      figures.push(`Redis restarted → chat across nodes again: ${Date.now() - restartedAt} ms`);

      // Stored before the restart, still in the shared store (read through the load balancer).
      const login = await fetch(`${lb.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'chair', password: 'beacon2026' }),
      });
      const { token } = (await login.json()) as { token: string };
      const chat = await fetch(`${lb.url}/api/v1/rooms/${ROOM}/chat`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const texts = ((await chat.json()) as { text: string }[]).map((m) => m.text);
      expect(texts).toEqual(expect.arrayContaining(['重启前的消息', '重启后的消息']));
    });
  },
);
