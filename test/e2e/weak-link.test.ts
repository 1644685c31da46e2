/**
 * A township on a weak link: its browser runs in a network namespace behind
 * linkemu (test/src/netns.ts; DevTools throttling would not touch WebRTC),
 * its downlink shaped to 300 kbit/s with 50 ms delay and 5 % loss each way.
 * (The full township WAN for two minutes is township-link.test.ts.) The chair sends
 * 3-layer simulcast from a normal browser on loopback. The shaped receiver
 * must get the LOW simulcast layer (the server's current layer for its
 * consumer, and the decoded frame width) while the chair's audio keeps
 * arriving.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consumerLayers,
  inboundStats,
  launchChromiumInNamespace,
  liveInboundByPeer,
  remotePeerIds,
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

const ROOM = 'city-weekly';

describe.skipIf(!canUseNetns)(`weak link${canUseNetns ? '' : ` (skipped: ${netnsUnavailableReason})`}`, () => {
  let link: NetnsLink;
  let chair: Terminal;
  let receiver: Terminal;
  let chairPeerId: string;
  const samples: string[] = [];
  const e2e = useE2e({
    async start(resources) {
      link = resources.own(await createNetnsLink(), (l) => l.destroy());
      return resources.startBeacon({ env: reachableThrough(link) });
    },
  });
  e2e.diagnose('receiver samples', () => samples.join('\n'));

  beforeAll(async () => {
    const origin = `http://${link.hostIp}:${e2e.beacon.port}`;
    const nsBrowser = await e2e.launchBrowser(() => launchChromiumInNamespace(link, origin));
    chair = await e2e.openTerminal('chair', ROOM);
    receiver = await e2e.openTerminal('lucheng', ROOM, { browser: nsBrowser, baseUrl: origin });
  });

  /** The receiver's view of the chair's camera: server layer, paused, decoded width. */
  const chairVideoAtReceiver = async () => {
    const consumer = (await consumerLayers(receiver.page)).find((c) => c.peerId === chairPeerId && c.kind === 'video');
    const stat = (await inboundStats(receiver.page)).find((s) => s.trackIdentifier === consumer?.consumerId);
    const sample = {
      spatialLayer: consumer?.spatialLayer ?? null,
      paused: consumer?.paused ?? null,
      frameWidth: stat?.frameWidth ?? null,
      level: await receiver.page
        .locator(`[data-testid="tile"][data-peer-id="${chairPeerId}"] [data-testid="quality-indicator"]`)
        .first()
        .getAttribute('data-level', { timeout: 1_000 })
        .catch(() => null),
    };
    samples.push(`${new Date().toISOString()} ${JSON.stringify(sample)}`);
    return sample;
  };

  it('unshaped, the receiver gets more than the lowest layer of the chair’s simulcast', async () => {
    await expect
      .poll(async () => (await remotePeerIds(receiver.page)).length, {
        timeout: 15_000,
      })
      .toBe(1);
    chairPeerId = (await remotePeerIds(receiver.page))[0] as string;
    await expect
      .poll(async () => (await liveInboundByPeer(receiver.page))[chairPeerId], { timeout: 30_000, interval: 0 })
      .toEqual({ video: true, audio: true });
    // The receiver's tile for the chair may be small; the main view (active speaker / spotlight) asks for more.
    // Baseline: the server sends a layer above 0 and the decoded width is above 320.
    await expect.poll(chairVideoAtReceiver, { timeout: 30_000, interval: 1_000 }).toMatchObject({
      spatialLayer: expect.any(Number),
      frameWidth: expect.any(Number),
    });
    await expect
      .poll(
        async () => {
          const s = await chairVideoAtReceiver();
          return (s.spatialLayer ?? 0) >= 1 && (s.frameWidth ?? 0) > 320;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
  });

  it('with a 300 kbit/s downlink the receiver drops to spatial layer 0 (≤ 320 px) and audio keeps flowing', async () => {
    const applied = await link.shape({ downlinkKbit: 300, delayMs: 50, lossPercent: 5 });
    console.info(`weak link shape: ${JSON.stringify(applied)}`);
    expect(applied.downlink).not.toBeNull();

    await expect
      .poll(
        async () => {
          const s = await chairVideoAtReceiver();
          return s.spatialLayer === 0 && s.frameWidth !== null && s.frameWidth <= 320;
        },
        { timeout: 45_000, interval: 1_000 },
      )
      .toBe(true);
    // It stays low, video still decodes, and audio keeps arriving. With 5 % loss a lost packet can stall the
    // video until the retransmission or a key frame arrives (seen: one 1.5-s window without a frame right
    // after the switch), so video must decode in 2 of 3 windows of 3 s; audio in all of them. The receive
    // budget probes one step up 10 s after it first limits the link (media-server/src/ReceiveBudget.ts); the
    // probe overfills this link and falls back within seconds, and may land in one of the three samples
    // (seen once in a clean-clone CI run), so layer 0 in at least 2 of 3.
    let videoWindows = 0;
    let lowSamples = 0;
    for (let i = 0; i < 3; i++) {
      const live = (await liveInboundByPeer(receiver.page, 3_000))[chairPeerId];
      expect(live?.audio, `audio, sample ${i}`).toBe(true);
      if (live?.video) videoWindows += 1;
      const s = await chairVideoAtReceiver();
      if (s.spatialLayer === 0) lowSamples += 1;
    }
    expect(videoWindows).toBeGreaterThanOrEqual(2);
    expect(lowSamples, 'samples on spatial layer 0').toBeGreaterThanOrEqual(2);
    console.info(`weak link: first sample ${samples[0]}; last ${samples.at(-1)}`);
  });

  it('a participant caps the video it receives to the low layer, then switches to audio only', async () => {
    // The chair (loopback) receives the township's simulcast from the namespace over a clean link again:
    // this test is about the receive settings, not about the link.
    await link.unshape();
    const townshipPeerId = (await remotePeerIds(chair.page))[0] as string;
    const townshipVideo = async () => {
      const consumer = (await consumerLayers(chair.page)).find(
        (c) => c.peerId === townshipPeerId && c.kind === 'video',
      );
      const stat = (await inboundStats(chair.page)).find((s) => s.trackIdentifier === consumer?.consumerId);
      return { spatialLayer: consumer?.spatialLayer ?? null, frameWidth: stat?.frameWidth ?? null };
    };
    await expect
      .poll(async () => ((await townshipVideo()).spatialLayer ?? 0) >= 1, { timeout: 30_000, interval: 1_000 })
      .toBe(true);

    await chair.page.getByTestId('receive-max-layer').selectOption('0');
    await expect
      .poll(
        async () => {
          const v = await townshipVideo();
          return v.spatialLayer === 0 && (v.frameWidth ?? 1e9) <= 320;
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(true);

    await chair.page.getByTestId('receive-audio-only').check();
    await expect
      .poll(async () => (await liveInboundByPeer(chair.page))[townshipPeerId], { timeout: 10_000, interval: 0 })
      .toEqual({ video: false, audio: true });
    await chair.page.getByTestId('receive-audio-only').uncheck();
    await expect
      .poll(async () => (await liveInboundByPeer(chair.page))[townshipPeerId], { timeout: 10_000, interval: 0 })
      .toEqual({ video: true, audio: true });
  });
  it('a gallery on a 300 kbit/s link: the main view keeps its video, tiles that do not fit say so, then all come back', async () => {
    await link.unshape();
    await receiver.page
      .getByTestId('receive-audio-only')
      .uncheck()
      .catch(() => undefined);
    // Three more townships join on loopback and listen while the chair speaks (mics off, as in a meeting).
    const townships: Terminal[] = [];
    for (const user of ['donggua', 'lvhe', 'zixi']) {
      const terminal = await e2e.openTerminal(user, ROOM);
      await terminal.page.getByTestId('toggle-mic').click();
      townships.push(terminal);
    }
    const videosAtReceiver = async (intervalMs = 2_000) =>
      Object.values(await liveInboundByPeer(receiver.page, intervalMs)).filter((v) => v.video).length;
    await expect.poll(() => videosAtReceiver(), { timeout: 45_000, interval: 0 }).toBe(4);

    // 4 remote cameras (each at least ~150 kbit/s at the lowest layer) and the chair's voice into 300 kbit/s.
    const applied = await link.shape({ downlinkKbit: 300, delayMs: 50, lossPercent: 3 });
    samples.push(`gallery shape: ${JSON.stringify(applied)}`);
    const tiles = receiver.page.getByTestId('tile');
    const heldBack = receiver.page.getByTestId('tile-held-back');
    // The receive budget answers the overfill within seconds (media-server/src/ReceiveBudget.ts); then the
    // main view (the chair, who speaks) decodes and is heard in every window, and a township tile either
    // decodes (mediasoup gives small tiles the lowest layer, perhaps at a lower frame rate, while room is
    // left) or says that the link holds its video back — never a frozen picture without a word.
    await receiver.page.waitForTimeout(15_000);
    const before = await link.counters();
    let chairVideoWindows = 0;
    let explainedWindows = 0;
    for (let i = 0; i < 4; i++) {
      const live = await liveInboundByPeer(receiver.page, 3_000);
      expect(live[chairPeerId]?.audio, `chair audio, window ${i + 1}`).toBe(true);
      if (live[chairPeerId]?.video) chairVideoWindows += 1;
      const notices = await heldBack.count();
      const decoding = Object.entries(live).filter(([peerId, v]) => peerId !== chairPeerId && v.video).length;
      samples.push(`gallery window ${i + 1}: ${JSON.stringify(live)} held back ${notices}`);
      if (decoding + notices >= 3) explainedWindows += 1;
    }
    expect(chairVideoWindows).toBeGreaterThanOrEqual(3);
    // The notice follows a stall within one quality sample (3 s): one window may catch a tile in between.
    expect(
      explainedWindows,
      'windows in which every township tile decoded or said it is held back',
    ).toBeGreaterThanOrEqual(3);
    const after = await link.counters();
    const seconds = 12;
    const down = after.down;
    console.info(
      `weak link gallery (4 cameras into 300 kbit/s): delivered ${Math.round(((down.txBytes - before.down.txBytes) * 8) / seconds / 1000)} kbit/s, ` +
        `offered ${Math.round(((down.rxBytes - before.down.rxBytes) * 8) / seconds / 1000)} kbit/s, ` +
        `queue drops ${down.dropQueue - before.down.dropQueue}, tiles held back ${await heldBack.count()} of ${await tiles.count()}`,
    );

    // The link recovers: the budget climbs back and every tile shows video again, no notice left.
    await link.unshape();
    await expect.poll(() => videosAtReceiver(), { timeout: 90_000, interval: 0 }).toBe(4);
    await expect.poll(() => heldBack.count(), { timeout: 10_000 }).toBe(0);
    for (const terminal of townships) await terminal.context.close();
  });
});
