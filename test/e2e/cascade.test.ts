/**
 * Cascade end to end: Beacon (in-process) drives two media node processes
 * through CascadedMediaControl; two Chromium terminals of different regions
 * land on different nodes and each decodes the other's video and hears its
 * audio across the pipe between the nodes.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { BeaconNode } from '@beacon/signaling';
import { startBeacon } from '@beacon/signaling';
import { CascadedMediaControl, InMemoryMediaNodeRegistry } from '@beacon/signaling/media-nodes';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeDataDir, testConfig } from '../integration/helpers.ts';
import { REPO_ROOT } from '../src/beaconProcess.ts';
import { liveInboundStreams } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';

const ROOM = 'city-weekly';
/** Forced placement: 鹿城镇 is served by the city node, 东瓜镇 by the county node. */
const REGION_OF_USER: Record<string, string> = { lucheng: 'city', donggua: 'county' };

/** The largest audioLevel among the page's inbound audio streams (Chromium's inbound-rtp stat). */
function maxInboundAudioLevel(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const hook = (globalThis as unknown as { __beacon?: { recvTransportStats(): Promise<Record<string, unknown>[]> } })
      .__beacon;
    const stats = (await hook?.recvTransportStats()) ?? [];
    const levels = stats
      .filter((s) => s.type === 'inbound-rtp' && s.kind === 'audio')
      .map((s) => Number(s.audioLevel ?? 0));
    return Math.max(0, ...levels);
  });
}

describe('cascade: two terminals on two media nodes', () => {
  const key = mediaNodeKey();
  const nodes: MediaNodeProcess[] = [];
  let cascade: CascadedMediaControl;
  let beacon: BeaconNode | undefined;
  const pages: Page[] = [];
  // Beacon in-process (its rooms and the cascade's placement are read directly), on two media node processes.
  const e2e = useE2e({
    async start(resources) {
      nodes.push(
        ...(await Promise.all([
          startMediaNode({ nodeId: 'city-node', region: 'city', key }),
          startMediaNode({ nodeId: 'county-node', region: 'county', key }),
        ])),
      );
      resources.defer(() => Promise.all(nodes.map((node) => node.stop())));
      cascade = await CascadedMediaControl.create({
        nodeUrls: nodes.map((node) => node.url),
        key,
        registry: new InMemoryMediaNodeRegistry(),
        regionOf: (roomId, peerId) => {
          const username = beacon?.rooms.get(roomId)?.get(peerId)?.claims.username;
          return username === undefined ? undefined : REGION_OF_USER[username];
        },
      });
      resources.own(cascade, (c) => c.close());
      const dataDir = resources.own(await makeDataDir(), (dir) => rm(dir, { recursive: true, force: true }));
      beacon = resources.own(
        await startBeacon({
          config: await testConfig(dataDir, { BEACON_CONSOLE_DIST: path.join(REPO_ROOT, 'console/dist') }),
          media: cascade,
          demoPasswordChosen: true,
        }),
        (node) => node.close(),
      );
      return beacon;
    },
  });

  it('each terminal decodes the other’s video and hears its audio across the pipe', async () => {
    for (const user of Object.keys(REGION_OF_USER)) {
      const page = await e2e.openPage(user, `#/room/${ROOM}`);
      pages.push(page);
      await expect
        .poll(() => page.getByTestId('conference').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('joined');
    }

    // Each terminal's media sits on its own region's node.
    const room = beacon?.rooms.get(ROOM);
    const placement = Object.fromEntries(
      (room?.participants() ?? []).map((p) => [p.claims.username, cascade.nodeOfPeer(ROOM, p.peerId)]),
    );
    expect(placement).toEqual({ lucheng: 'city-node', donggua: 'county-node' });

    for (const page of pages) {
      await expect.poll(() => page.getByTestId('tile').count(), { timeout: 30_000 }).toBe(1);
      await expect
        .poll(() => liveInboundStreams(page), { timeout: 30_000, interval: 500 })
        .toEqual({ video: 1, audio: 1 });
      // Chromium's fake microphone beeps: the level rises above zero while a beep plays.
      await expect.poll(() => maxInboundAudioLevel(page), { timeout: 15_000, interval: 200 }).toBeGreaterThan(0);
    }

    // Each node pipes its terminal's camera and microphone to the other, once.
    for (const nodeId of ['city-node', 'county-node']) {
      await expect
        .poll(() => cascade.node(nodeId).lastHeartbeat?.load, { timeout: 10_000 })
        .toMatchObject({ pipeConsumers: 2, pipeProducers: 2 });
    }
  });

  it('when the county node dies, its terminal re-joins on the city node by itself and media flows again', async () => {
    await nodes[1]?.kill();
    // Declared dead within 10 s, then both terminals re-join (room:recreated) and land on the live node.
    await expect
      .poll(
        () =>
          (beacon?.rooms.get(ROOM)?.participants() ?? []).map((p) => {
            try {
              return cascade.nodeOfPeer(ROOM, p.peerId);
            } catch {
              return 'unplaced';
            }
          }),
        { timeout: 40_000, interval: 500 },
      )
      .toEqual(['city-node', 'city-node']);
    for (const page of pages) {
      await expect
        .poll(() => liveInboundStreams(page), { timeout: 30_000, interval: 500 })
        .toEqual({ video: 1, audio: 1 });
    }
  });
});
