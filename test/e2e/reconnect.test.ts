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
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type BeaconProcess, startBeaconProcess } from '../src/beaconProcess.ts';
import {
  conferenceState,
  launchChromium,
  launchChromiumInNamespace,
  liveInboundByPeer,
  openTerminal,
  participantAttribute,
  screenshotAll,
  type Terminal,
} from '../src/browser.ts';
import {
  canUseNetns,
  createNetnsLink,
  destroyAllNetnsLinks,
  type NetnsLink,
  netnsUnavailableReason,
  reachableThrough,
} from '../src/netns.ts';
import { loginApi, SignalingClient } from '../src/signaling.ts';

const ROOM = 'city-weekly';
/** How long the township's link stays cut in the namespace test. */
const CUT_MS = 15_000;

describe('reconnect after a network drop', () => {
  let beacon: BeaconProcess;
  let browser: Browser;
  let nsBrowser: Browser | undefined;
  let link: NetnsLink | undefined;
  let observer: SignalingClient;
  let chair: Terminal;
  const terminals: Terminal[] = [];
  /** Warnings and errors the township pages logged (why a resume turned into a re-join, …). */
  const pageLog: string[] = [];
  const pages = (): Page[] => terminals.map((t) => t.page);

  beforeAll(async () => {
    if (canUseNetns) link = await createNetnsLink();
    beacon = await startBeaconProcess({
      env: link ? reachableThrough(link) : {},
    });
    browser = await launchChromium();
    observer = await SignalingClient.connect(beacon.url, (await loginApi(beacon.url, 'zixi')).token);
    chair = await openTerminal(browser, beacon.url, 'chair', ROOM);
    terminals.push(chair);
    await observer.join(ROOM);
  });

  afterAll(async () => {
    observer?.close();
    await nsBrowser?.close().catch(() => undefined);
    await browser?.close();
    await beacon?.stop();
    await destroyAllNetnsLinks();
  });

  const failWith = (label: string) =>
    onTestFailed(async () => {
      const shots = await screenshotAll(pages(), label);
      const seen = observer?.events
        .filter((e) => e.event.startsWith('peer:'))
        .map((e) => `${e.event} ${JSON.stringify(e.data).slice(0, 200)}`);
      console.error(
        `screenshots (chair, township…): ${shots.join(', ')}\nobserver peer events:\n${seen?.join('\n')}\n` +
          `township page warnings:\n${pageLog.join('\n')}\n` +
          `server output:\n${beacon.output().slice(-4000)}`,
      );
    });

  /** Watches the chair's entry of `peerId` until `done()`; returns every data-connection value seen. */
  const watchConnection = (peerId: string) => {
    const seen: (string | null)[] = [];
    let stop = false;
    const running = (async () => {
      while (!stop) {
        const now = await participantAttribute(chair.page, peerId, 'data-connection');
        if (seen.at(-1) !== now) seen.push(now);
        await chair.page.waitForTimeout(200);
      }
    })();
    return {
      seen,
      async done() {
        stop = true;
        await running;
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
    failWith('reconnect-cdp');
    const township = await openTerminal(browser, beacon.url, 'lucheng', ROOM);
    terminals.push(township);
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
      failWith('reconnect-netns');
      const netns = link as NetnsLink;
      const origin = `http://${netns.hostIp}:${beacon.port}`;
      nsBrowser = await launchChromiumInNamespace(netns, origin);
      const township = await openTerminal(nsBrowser, origin, 'donggua', ROOM);
      terminals.push(township);
      township.page.on('console', (message) => {
        if (message.type() === 'warning' || message.type() === 'error') {
          pageLog.push(`${new Date().toISOString()} ${message.type()}: ${message.text()}`);
        }
      });
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
      expect(await conferenceState(township.page)).toBe('joined');
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
