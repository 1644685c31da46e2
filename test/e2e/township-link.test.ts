/**
 * A township on a real mountain link, for real WebRTC media: its Chromium
 * runs in a network namespace behind linkemu (test/src/netns.ts), shaped
 * like the WAN that reaches the townships — 300 kbit/s, 150 ms one-way
 * delay and 3 % random loss, each way. The chair sends 3-layer simulcast
 * from a normal browser on loopback.
 *
 *  a. Two minutes on that link: audio keeps flowing both ways in every 10 s
 *     window, concealment stays bounded, the township receives the chair's
 *     LOW simulcast layer, and nobody disconnects (the chair never shows the
 *     township as reconnecting or gone; the township's page never leaves
 *     `joined` and its socket stays up).
 *  c. UDP to the media server blocked: the township still connects, over
 *     ICE-TCP to the WebRtcServer's TCP port, and decodes both ways.
 * (A 15 s cut with reconnect lives in reconnect.test.ts.)
 *
 * Each part has its own Beacon, link and browsers. Part a measures once,
 * before its tests (two minutes serve all three), and its tests only judge
 * that measurement: any one of them runs alone, in any order.
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consumerLayers,
  inboundStats,
  launchChromiumInNamespace,
  liveInboundByPeer,
  outboundVideoLayers,
  remotePeerIds,
  selectedPair,
  type Terminal,
} from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import {
  canUseNetns,
  createNetnsLink,
  type LinkShape,
  type NetnsLink,
  netnsUnavailableReason,
  reachableThrough,
} from '../src/netns.ts';
import { waitFor } from '../src/waitFor.ts';

const ROOM = 'city-weekly';
/** The weak link a mountain township must still meet on: 300 kbit/s, 150 ms, 3 % loss each way. */
const TOWNSHIP_LINK: LinkShape = { downlinkKbit: 300, uplinkKbit: 300, delayMs: 150, lossPercent: 3 };
const WINDOWS = 12;
const WINDOW_MS = 10_000;
/** The layer must be low by then, and stay low for the rest of the 2 minutes. */
const SETTLE_MS = 60_000;
/**
 * Concealed / received audio samples at the township over the 2 minutes.
 * 3 % random loss alone conceals about 3 % (Opus packets are not
 * retransmitted); drop-tail in the 300 kbit/s queue when video overshoots
 * adds to it. Measured here: 3.5 %. 10 % leaves room for a loaded machine
 * and still fails when audio is starved by video or the jitter buffer
 * keeps running dry.
 */
const MAX_CONCEALED_RATIO = 0.1;

interface LayerSample {
  atMs: number;
  layer: number | null;
  width: number | null;
}

interface AudioCounters {
  packetsReceived: number;
  packetsLost: number;
  concealedSamples: number;
  totalSamplesReceived: number;
}

/** The inbound-rtp stat of `peerId`'s consumer of `kind` on `page`, with the server's layer for it. */
async function inboundFrom(page: Page, peerId: string, kind: 'audio' | 'video') {
  const consumer = (await consumerLayers(page)).find((c) => c.peerId === peerId && c.kind === kind);
  const stat = consumer
    ? (await inboundStats(page)).find((s) => s.kind === kind && s.trackIdentifier === consumer.consumerId)
    : undefined;
  return { consumer, stat };
}

/** The inbound audio counters of `peerId`'s audio consumer on `page`. */
async function inboundAudioFrom(page: Page, peerId: string): Promise<AudioCounters | null> {
  const { stat } = await inboundFrom(page, peerId, 'audio');
  if (!stat) return null;
  return {
    packetsReceived: stat.packetsReceived ?? 0,
    packetsLost: stat.packetsLost ?? 0,
    concealedSamples: stat.concealedSamples ?? 0,
    totalSamplesReceived: stat.totalSamplesReceived ?? 0,
  };
}

/** Server layer and decoded size of `peerId`'s video on `page`. */
async function inboundVideoFrom(page: Page, peerId: string) {
  const { consumer, stat } = await inboundFrom(page, peerId, 'video');
  return {
    spatialLayer: consumer?.spatialLayer ?? null,
    framesDecoded: stat?.framesDecoded ?? 0,
    frameWidth: stat ? (stat.frameWidth ?? 0) : null,
  };
}

/**
 * From now on, records every value that `attr` of the first element matching
 * `selector` takes (null = no such element), so a blip between two polls is
 * not missed.
 */
async function recordAttribute(page: Page, key: string, selector: string, attr: string): Promise<void> {
  await page.evaluate(
    ({ key, selector, attr }) => {
      // The test's tsconfig has no DOM lib: name just what is used here.
      type Doc = { body: unknown; querySelector(s: string): { getAttribute(n: string): string | null } | null };
      type Observer = new (callback: () => void) => { observe(target: unknown, options: object): void };
      const page = globalThis as unknown as { document: Doc; MutationObserver: Observer } & Record<string, unknown>;
      const log: (string | null)[] = [];
      const read = () => page.document.querySelector(selector)?.getAttribute(attr) ?? null;
      log.push(read());
      new page.MutationObserver(() => {
        const now = read();
        if (log.at(-1) !== now) log.push(now);
      }).observe(page.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: [attr] });
      page[key] = log;
    },
    { key, selector, attr },
  );
}

function recorded(page: Page, key: string): Promise<(string | null)[]> {
  return page.evaluate((k) => (globalThis as unknown as Record<string, (string | null)[]>)[k] ?? [], key);
}

/** Protocol of the local candidate of each transport's selected ICE pair ('udp' / 'tcp'), send then recv. */
async function selectedPairProtocols(page: Page): Promise<(string | null)[]> {
  const pairs = [await selectedPair(page, 'send'), await selectedPair(page, 'recv')];
  return pairs.map((pair) => pair?.localProtocol ?? null);
}

/** Beacon reachable through a fresh namespace link, the chair on loopback, a Chromium in the namespace. */
function useTownshipLink(log: string[]) {
  let link: NetnsLink;
  let nsBrowser: Browser;
  let chair: Terminal;
  const e2e = useE2e({
    async start(resources) {
      link = resources.own(await createNetnsLink(), (l) => l.destroy());
      return resources.startBeacon({ env: reachableThrough(link) });
    },
  });
  e2e.diagnose('samples', () => log.join('\n'));
  e2e.diagnose('link counters', () => link.counters());
  beforeAll(async () => {
    nsBrowser = await e2e.launchBrowser(() => launchChromiumInNamespace(link, origin()));
    chair = await e2e.openTerminal('chair', ROOM);
  });
  const origin = () => `http://${link.hostIp}:${e2e.beacon.port}`;
  return {
    e2e,
    link: () => link,
    chair: () => chair,
    /** `user`'s terminal in the namespace. */
    township: (user: string) => e2e.openTerminal(user, ROOM, { browser: nsBrowser, baseUrl: origin() }),
  };
}

interface WindowSample {
  downPackets: number;
  upPackets: number;
  layer: number | null;
  width: number | null;
  frames: number;
  socketUp: boolean | undefined;
}

/** What two minutes on the township WAN did, for the tests to judge. */
interface WeakLinkRun {
  windows: WindowSample[];
  concealedRatio: number;
  lowLayerAfterMs: number | null;
  layerSamples: LayerSample[];
  /** Every value the township page's `data-state` and the chair's entry of it took. */
  townshipStates: (string | null)[];
  townshipAtChair: (string | null)[];
}

/** The township joins over a clean link, then the WAN turns bad for two minutes, sampled in 10 s windows. */
async function twoMinutesOnTheWeakLink(link: NetnsLink, chair: Terminal, township: Terminal, log: string[]) {
  const page = township.page;
  const onePeer = (ids: string[]) => ids.length === 1;
  await waitFor('the chair at the township', () => remotePeerIds(page), onePeer, { timeoutMs: 15_000 });
  await waitFor('the township at the chair', () => remotePeerIds(chair.page), onePeer, { timeoutMs: 15_000 });
  const chairPeerId = (await remotePeerIds(page))[0] as string;
  const townshipPeerId = (await remotePeerIds(chair.page))[0] as string;
  await waitFor(
    'the chair’s video and audio at the township',
    async () => (await liveInboundByPeer(page))[chairPeerId],
    (live) => live?.video === true && live.audio === true,
    { timeoutMs: 30_000, intervalMs: 0 },
  );

  const applied = await link.shape(TOWNSHIP_LINK);
  log.push(`shape: ${JSON.stringify(applied)}`);
  await recordAttribute(page, '__townshipState', '[data-testid="conference"]', 'data-state');
  await recordAttribute(
    chair.page,
    '__townshipAtChair',
    `[data-testid="participant"][data-peer-id="${townshipPeerId}"]`,
    'data-connection',
  );

  const first = {
    down: await inboundAudioFrom(page, chairPeerId),
    up: await inboundAudioFrom(chair.page, townshipPeerId),
    link: await link.counters(),
  };
  let prev = first;
  const windows: WindowSample[] = [];
  let prevFrames = (await inboundVideoFrom(page, chairPeerId)).framesDecoded;
  let lowLayerAfterMs: number | null = null;
  const layerSamples: LayerSample[] = [];
  let prevChairLayers = await outboundVideoLayers(chair.page);
  const started = Date.now();
  for (let i = 0; i < WINDOWS; i++) {
    // Sample the layer a few times per window: when did it first reach the low layer?
    for (let t = 0; t < WINDOW_MS / 2_000; t++) {
      await page.waitForTimeout(2_000);
      const v = await inboundVideoFrom(page, chairPeerId);
      layerSamples.push({ atMs: Date.now() - started, layer: v.spatialLayer, width: v.frameWidth });
      if (lowLayerAfterMs === null && v.spatialLayer === 0 && (v.frameWidth ?? 1e9) <= 320) {
        lowLayerAfterMs = Date.now() - started;
      }
    }
    const now = {
      down: await inboundAudioFrom(page, chairPeerId),
      up: await inboundAudioFrom(chair.page, townshipPeerId),
      link: await link.counters(),
    };
    const video = await inboundVideoFrom(page, chairPeerId);
    const chairLayers = await outboundVideoLayers(chair.page);
    const socketUp = await page.evaluate(() =>
      (globalThis as unknown as { __beacon?: { socketConnected(): boolean } }).__beacon?.socketConnected(),
    );
    const w: WindowSample = {
      downPackets: (now.down?.packetsReceived ?? 0) - (prev.down?.packetsReceived ?? 0),
      upPackets: (now.up?.packetsReceived ?? 0) - (prev.up?.packetsReceived ?? 0),
      layer: video.spatialLayer,
      width: video.frameWidth,
      frames: video.framesDecoded - prevFrames,
      socketUp,
    };
    const kbit = (bytes: number) => Math.round((bytes * 8) / WINDOW_MS);
    const chairKbit = chairLayers.map((l) => {
      const before = prevChairLayers.find((p) => p.rid === l.rid)?.bytesSent ?? 0;
      return `${l.rid}:${l.frameWidth}px ${Math.round(((l.bytesSent - before) * 8) / WINDOW_MS)}kbit/s`;
    });
    prevChairLayers = chairLayers;
    log.push(
      `window ${i + 1}: ${JSON.stringify(w)} chair sends [${chairKbit.join(', ')}] link down ${kbit(now.link.down.txBytes - prev.link.down.txBytes)} kbit/s ` +
        `up ${kbit(now.link.up.txBytes - prev.link.up.txBytes)} kbit/s`,
    );
    windows.push(w);
    prev = now;
    prevFrames = video.framesDecoded;
  }

  const end = prev;
  const concealed = (end.down?.concealedSamples ?? 0) - (first.down?.concealedSamples ?? 0);
  const samples = (end.down?.totalSamplesReceived ?? 0) - (first.down?.totalSamplesReceived ?? 0);
  const ratio = samples > 0 ? concealed / samples : 1;
  const seconds = (Date.now() - started) / 1000;
  const d = end.link.down;
  const u = end.link.up;
  const summary = {
    seconds: Math.round(seconds),
    lowLayerAfterMs,
    concealedRatio: Number(ratio.toFixed(3)),
    audioPacketsLostAtTownship: (end.down?.packetsLost ?? 0) - (first.down?.packetsLost ?? 0),
    audioPacketsPerWindowAtTownship: windows.map((w) => w.downPackets),
    audioPacketsPerWindowAtChair: windows.map((w) => w.upPackets),
    videoFramesPerWindowAtTownship: windows.map((w) => w.frames),
    downKbit: Math.round(((d.txBytes - first.link.down.txBytes) * 8) / seconds / 1000),
    upKbit: Math.round(((u.txBytes - first.link.up.txBytes) * 8) / seconds / 1000),
    downDrops: { loss: d.dropLoss - first.link.down.dropLoss, queue: d.dropQueue - first.link.down.dropQueue },
    upDrops: { loss: u.dropLoss - first.link.up.dropLoss, queue: u.dropQueue - first.link.up.dropQueue },
  };
  console.log(`township link (300 kbit/s, 150 ms, 3 % each way): ${JSON.stringify(summary)}`);
  return {
    windows,
    concealedRatio: ratio,
    lowLayerAfterMs,
    layerSamples,
    townshipStates: await recorded(page, '__townshipState'),
    townshipAtChair: await recorded(chair.page, '__townshipAtChair'),
  } satisfies WeakLinkRun;
}

/**
 * Layer samples of the second minute above the low layer: the server says a higher spatial layer, or the
 * decoder shows frames wider than 320 px. A sample whose layer the stats did not carry (null, seen when the
 * consumer's score changes) counts by its decoded width alone: a null layer at 320 px is the low layer.
 */
/**
 * Samples above the low layer this close together belong to one probe: probes are at least raiseAfterMs (10 s)
 * apart, and one probe's frames can skip a 2-s sample while the key frame of the lower layer is awaited.
 */
const PROBE_GAP_MS = 5_000;

const aboveLowLayer = (run: WeakLinkRun) =>
  run.layerSamples.filter((s) => s.atMs >= SETTLE_MS && ((s.layer ?? 0) > 0 || (s.width ?? 0) > 320));

describe.skipIf(!canUseNetns)(`township link${canUseNetns ? '' : ` (skipped: ${netnsUnavailableReason})`}`, () => {
  describe('two minutes at 300 kbit/s, 150 ms, 3 % loss each way', () => {
    const log: string[] = [];
    const setup = useTownshipLink(log);
    let run: WeakLinkRun;

    beforeAll(async () => {
      const township = await setup.township('lucheng');
      run = await twoMinutesOnTheWeakLink(setup.link(), setup.chair(), township, log);
    }, 240_000);

    it('audio flows both ways, video decodes, nobody disconnects', () => {
      for (const [i, w] of run.windows.entries()) {
        expect(w.socketUp, `window ${i + 1}: the township's socket is connected`).toBe(true);
      }
      // Audio both ways in every window.
      for (const [i, w] of run.windows.entries()) {
        expect(w.downPackets, `window ${i + 1}: chair audio at the township`).toBeGreaterThan(0);
        expect(w.upPackets, `window ${i + 1}: township audio at the chair`).toBeGreaterThan(0);
      }
      expect(run.concealedRatio).toBeLessThan(MAX_CONCEALED_RATIO);
      // The chair's video keeps decoding (whatever the layer).
      for (const [i, w] of run.windows.entries()) {
        expect(w.frames, `window ${i + 1}: chair video decoded`).toBeGreaterThan(0);
      }
      // Nobody disconnected: every value the township's page and the chair's entry ever took.
      expect(run.townshipStates).toEqual(['joined']);
      expect(run.townshipAtChair).toEqual(['connected']);
    });

    it('the township gets the chair’s LOW simulcast layer (≤ 320 px) within the first minute', () => {
      const { lowLayerAfterMs, layerSamples } = run;
      const above = aboveLowLayer(run);
      console.log(
        `township link layers: low layer first after ${lowLayerAfterMs} ms; ${above.length}/` +
          `${layerSamples.filter((s) => s.atMs >= SETTLE_MS).length} samples after ${SETTLE_MS / 1000} s above it: ` +
          JSON.stringify(above),
      );
      expect(lowLayerAfterMs).not.toBeNull();
      expect(lowLayerAfterMs as number).toBeLessThan(SETTLE_MS);
    });

    it('… and stays on it through the second minute, but for at most 2 brief probes', () => {
      // The second minute: layer 0, decoded ≤ 320 px wide — except brief probes. The receiver's link budget
      // (media-server/src/ReceiveBudget.ts) probes for more now and then — 10 s, then 40 s, 160 s … after each
      // failed or unused probe — and a probe that overfills the link is answered within seconds (transport-wide
      // loss); the decoder shows the larger frames until the next key frame. So: at most 2 probes in the minute,
      // each seen for at most 10 s (5 consecutive 2-s samples). Before the budget (score-driven layers only) a raised
      // layer stayed for 10-20 s stretches in 2 of 4 CI runs, up to 22 of 31 samples.
      const probes: LayerSample[][] = [];
      for (const sample of aboveLowLayer(run)) {
        const last = probes.at(-1)?.at(-1);
        if (last && sample.atMs - last.atMs <= PROBE_GAP_MS) probes.at(-1)?.push(sample);
        else probes.push([sample]);
      }
      expect(probes.length).toBeLessThanOrEqual(2);
      // A probe's span, first to last sample above the low layer: the 5 consecutive 2-s samples of a 10-s probe.
      const spansMs = probes.map((probe) => (probe.at(-1)?.atMs ?? 0) - (probe[0]?.atMs ?? 0));
      expect(Math.max(0, ...spansMs)).toBeLessThanOrEqual(10_500);
    });
  });

  describe('UDP to the media server blocked', () => {
    const setup = useTownshipLink([]);

    it('the township connects over ICE-TCP and decodes both ways', async () => {
      const link = setup.link();
      const chair = setup.chair();
      await link.blockUdp(link.hostIp);
      const before = await link.counters();
      const township = await setup.township('donggua');
      const page = township.page;
      await expect.poll(() => remotePeerIds(page), { timeout: 15_000 }).toHaveLength(1);
      const chairPeerId = (await remotePeerIds(page))[0] as string;
      await expect.poll(() => remotePeerIds(chair.page), { timeout: 15_000 }).toHaveLength(1);
      const townshipPeerId = (await remotePeerIds(chair.page))[0] as string;

      await expect
        .poll(async () => (await liveInboundByPeer(page))[chairPeerId], { timeout: 45_000, interval: 0 })
        .toEqual({ video: true, audio: true });
      await expect
        .poll(async () => (await liveInboundByPeer(chair.page))[townshipPeerId], { timeout: 30_000, interval: 0 })
        .toEqual({ video: true, audio: true });
      // Both of the township's transports (send, receive) use a TCP candidate pair …
      expect(await selectedPairProtocols(page)).toEqual(['tcp', 'tcp']);
      // … because its UDP towards the server really went nowhere.
      const after = await link.counters();
      const blocked = after.up.dropBlocked - before.up.dropBlocked;
      console.log(`township link, UDP blocked: ${blocked} UDP frames dropped; media over ICE-TCP`);
      expect(blocked).toBeGreaterThan(0);
    });
  });
});
