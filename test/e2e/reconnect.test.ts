/**
 * Reconnect without a manual rejoin, in real Chromium.
 *
 * 1. DevTools offline (`Network.emulateNetworkConditions`) on a township's
 *    page for ~5 s. It acts on HTTP and WebSocket only, not on WebRTC media
 *    (Chromium bug 563644), so it drops the signaling socket: socket.io
 *    reconnect + session resume.
 * 2. Stronger: the township's browser runs in a network namespace whose
 *    link (linkemu, test/src/netns.ts) is cut for 15 s — media and
 *    signaling both, frames in flight too — then comes back.
 *
 * Either way the chair sees the township as "reconnecting" (not gone)
 * meanwhile, and afterwards both sides decode each other again with the
 * same peerId.
 */
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conferenceState,
  launchChromiumInNamespace,
  liveInboundByPeer,
  participantAttribute,
  type Terminal,
} from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import {
  canUseNetns,
  createNetnsLink,
  type NetnsLink,
  netnsUnavailableReason,
  reachableThrough,
} from '../src/netns.ts';
import type { SignalingClient } from '../src/signaling.ts';

const ROOM = 'city-weekly';
/** How long the township's link stays cut in the namespace test. */
const CUT_MS = 15_000;

describe('reconnect after a network drop', () => {
  let link: NetnsLink | undefined;
  let observer: SignalingClient;
  let chair: Terminal;
  const e2e = useE2e({
    async start(resources) {
      if (canUseNetns) link = resources.own(await createNetnsLink(), (l) => l.destroy());
      return resources.startBeacon({ env: link ? reachableThrough(link) : {} });
    },
  });

  beforeAll(async () => {
    observer = await e2e.client('zixi');
    chair = await e2e.openTerminal('chair', ROOM);
    await observer.join(ROOM);
  });

  // The pages' own warnings and errors (why a resume turned into a re-join, …) are in the fixture's report.
  e2e.diagnose('observer peer events', () =>
    observer?.events
      .filter((e) => e.event.startsWith('peer:'))
      .map((e) => `${e.event} ${JSON.stringify(e.data).slice(0, 200)}`)
      .join('\n'),
  );

  /** Watches the chair's entry of `peerId` until `done()`; returns every data-connection value seen. */
  const watchConnection = (peerId: string) => {
    const seen: (string | null)[] = [];
    let stop = false;
    let failure: unknown;
    // A test that fails before done() leaves the loop running until its page closes: keep that
    // error here (done() rethrows it) instead of an unhandled rejection after the test.
    const running = (async () => {
      while (!stop) {
        const now = await participantAttribute(chair.page, peerId, 'data-connection');
        if (seen.at(-1) !== now) seen.push(now);
        await chair.page.waitForTimeout(200);
      }
    })().catch((err: unknown) => {
      failure = err;
    });
    return {
      seen,
      async done() {
        stop = true;
        await running;
        if (failure) throw failure;
        return seen;
      },
    };
  };

  /** Both directions decode video between the chair and `peerId`'s page. */
  const expectMediaBothWays = async (page: Page, peerId: string, timeout: number) => {
    await expect
      .poll(async () => (await liveInboundByPeer(chair.page, 700))[peerId], { timeout, interval: 0 })
      .toMatchObject({ video: true, audio: true });
    await expect
      .poll(async () => (await liveInboundByPeer(page, 700))[observer.peerIdOf('u-chair')], { timeout, interval: 0 })
      .toMatchObject({ video: true });
  };

  const peerLeftEvents = (peerId: string) =>
    observer.events.filter((e) => e.event === 'peer:left' && (e.data as { peerId: string }).peerId === peerId);

  it('DevTools offline for ~5 s: shown as reconnecting, then media again within 10 s with the same peerId', async () => {
    const township = await e2e.openTerminal('lucheng', ROOM);
    await expect.poll(() => observer.peerOf('u-lucheng')?.connection, { timeout: 5_000 }).toBe('connected');
    const peerId = observer.peerIdOf('u-lucheng');
    await expectMediaBothWays(township.page, peerId, 30_000);

    const cdp: CDPSession = await township.context.newCDPSession(township.page);
    await cdp.send('Network.enable');
    const watch = watchConnection(peerId);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await expect
      .poll(() => participantAttribute(chair.page, peerId, 'data-connection'), { timeout: 5_000, interval: 200 })
      .toBe('reconnecting');
    expect(observer.peers.get(peerId)?.connection).toBe('reconnecting');
    expect(await conferenceState(township.page)).toBe('reconnecting');
    await township.page.waitForTimeout(5_000);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const backOnline = Date.now();

    await expect.poll(() => conferenceState(township.page), { timeout: 10_000 }).toBe('joined');
    await expect
      .poll(() => participantAttribute(chair.page, peerId, 'data-connection'), { timeout: 10_000 })
      .toBe('connected');
    await expectMediaBothWays(township.page, peerId, Math.max(1_000, 10_000 - (Date.now() - backOnline)));
    const seen = await watch.done();
    // Never shown as gone (no entry = null) and never re-joined under another peerId.
    expect(seen, `chair saw: ${seen}`).not.toContain(null);
    expect(peerLeftEvents(peerId)).toEqual([]);
    expect(observer.peerIdOf('u-lucheng')).toBe(peerId);
    expect([...observer.peers.values()].filter((p) => p.userId === 'u-lucheng')).toHaveLength(1);
  });

  it.skipIf(!canUseNetns)(
    `the township's whole link goes down and back: reconnecting meanwhile, media again without rejoin${
      canUseNetns ? '' : ` (skipped: ${netnsUnavailableReason})`
    }`,
    async () => {
      const netns = link as NetnsLink;
      const origin = `http://${netns.hostIp}:${e2e.beacon.port}`;
      const nsBrowser = await e2e.launchBrowser(() => launchChromiumInNamespace(netns, origin));
      const township = await e2e.openTerminal('donggua', ROOM, { browser: nsBrowser, baseUrl: origin });
      await expect.poll(() => observer.peerOf('u-donggua')?.connection, { timeout: 5_000 }).toBe('connected');
      const peerId = observer.peerIdOf('u-donggua');
      await expectMediaBothWays(township.page, peerId, 30_000);

      const watch = watchConnection(peerId);
      await netns.setUp(false);
      const downAt = Date.now();
      // What a township must get: a drop of up to 30 s (the reconnect grace) is survived; the others see
      // "reconnecting" meanwhile.
      await expect
        .poll(() => participantAttribute(chair.page, peerId, 'data-connection'), { timeout: 20_000, interval: 250 })
        .toBe('reconnecting');
      const detectedAfterMs = Date.now() - downAt;
      // Down for 15 s in all: mountain links drop for tens of seconds, and the 30 s grace must cover that.
      await chair.page.waitForTimeout(Math.max(0, CUT_MS - (Date.now() - downAt)));
      await netns.setUp(true);
      const backAt = Date.now();

      await expectMediaBothWays(township.page, peerId, 10_000);
      await expect
        .poll(() => participantAttribute(chair.page, peerId, 'data-connection'), { timeout: 5_000 })
        .toBe('connected');
      // The township's page learns of its resume from the ack, which may trail the server's view by a moment.
      await expect.poll(() => conferenceState(township.page), { timeout: 5_000 }).toBe('joined');
      const seen = await watch.done();
      console.info(
        `netns drop (${backAt - downAt} ms cut): reconnecting shown after ${detectedAfterMs} ms; media back ${Date.now() - backAt} ms after the link returned`,
      );
      expect(seen, `chair saw: ${seen}`).not.toContain(null);
      expect(peerLeftEvents(peerId)).toEqual([]);
      expect(observer.peerIdOf('u-donggua')).toBe(peerId);
    },
  );
});
