/**
 * A township on its mountain WAN (300 kbit/s, 150 ms one-way, 3 % loss each
 * way, emulated by linkemu: test/src/netns.ts), in real Chromium:
 *
 *  (i)  join → first remote frame decoded, p50/p95. The township's terminal
 *       logs in once (the page loads over the weak link, not timed), then
 *       joins, waits for the chair's first decoded frame (timed inside the
 *       page, as joinLatency.ts does), leaves, and joins again. The first
 *       time it stays BENCH_SETTLE_MS (default 30 s) as a township stays in
 *       a meeting, long enough for its receive budget to learn the link:
 *       the next joins start from that budget (media-server LinkMemory),
 *       the first from mediasoup's 1 Mbit/s guess.
 *  (ii) bytes on the township's wire in a 16-township gallery: the township
 *       receives 15 senders (the chair with its fake 720p camera, and 14
 *       townships, browsers on loopback whose camera is a 320x180 10 fps
 *       test pattern — one simulcast layer, about what a township tile gets
 *       anyway — so 15 encoders fit on two shared cores; they receive audio
 *       only, so none decodes 14 videos, and mute their mics as townships
 *       do while the chair speaks) and sends its own camera and mic. kbit/s
 *       from linkemu's counters over a steady window: delivered down,
 *       offered down (what the server tried to push into the link),
 *       delivered up; and what the township sees: videos decoding, tiles
 *       held back by its receive budget (media-server/src/ReceiveBudget.ts).
 *
 * Run alone: `node --import tsx test/bench/townshipLink.ts` (root: namespaces); BENCH_BEACON_LOG=<file>
 * keeps Beacon's log (LOG_LEVEL=info shows each receive link's budget and where a join started from).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import { DEMO_PASSWORD, REPO_ROOT, startBeaconProcess } from '../src/beaconProcess.ts';
import {
  launchChromium,
  launchChromiumInNamespace,
  liveInboundStreams,
  loginThroughUi,
  newTerminalContext,
  openTerminal,
  waitForJoined,
} from '../src/browser.ts';
import { createNetnsLink, type LinkShape, type NetnsLink, reachableThrough } from '../src/netns.ts';
import { JoinSamples, timeJoinInPage } from './joinTiming.ts';
import { percentile } from './stats.ts';

const ROOM = 'city-weekly';
export const TOWNSHIP_LINK: LinkShape = { downlinkKbit: 300, uplinkKbit: 300, delayMs: 150, lossPercent: 3 };
/** The demo's 15 township logins (a township's username is its id), 鹿城镇 first. */
const TOWNSHIPS = SEED_TOWNSHIPS.map((t) => t.id);

export interface TownshipLinkResult {
  link: string;
  joins: number;
  joinSamplesMs: number[];
  joinP50Ms: number;
  joinP95Ms: number;
  /** Median time from the click to each step the console marks (joinMarks.ts), in join order. */
  joinStepsP50Ms: Record<string, number>;
  gallery: {
    participants: number;
    windowSeconds: number;
    /** Delivered to the township across the link. */
    downKbit: number;
    /** What the server sent into the link (delivered + dropped by loss and the full queue). */
    offeredDownKbit: number;
    /** Delivered from the township to the server. */
    upKbit: number;
    downQueueDrops: number;
    /** Delivered down per remote participant. */
    downKbitPerRemote: number;
    /** Remote streams decoding/arriving at the township at the end of the window. */
    liveVideoAtTownship: number;
    liveAudioAtTownship: number;
    /** Peer tiles (filmstrip or gallery) saying "weak link: video paused", of all peer tiles shown. */
    tilesHeldBackAtTownship: number;
    tilesAtTownship: number;
  };
}

async function measureJoins(nsBrowser: Browser, origin: string, joins: number, settleMs: number): Promise<JoinSamples> {
  const page = await (await newTerminalContext(nsBrowser)).newPage();
  await loginThroughUi(page, origin, 'lucheng', DEMO_PASSWORD, '#/rooms');
  const samples = new JoinSamples();
  for (let i = 0; i < joins; i++) {
    const joinButton = page.getByTestId(`join-${ROOM}`);
    await joinButton.waitFor({ timeout: 120_000 });
    const elapsed = timeJoinInPage(page, 60_000);
    await joinButton.click();
    samples.add(await elapsed);
    await waitForJoined(page, 60_000);
    if (i === 0) await page.waitForTimeout(settleMs);
    await page.getByTestId('leave').click();
  }
  await page.context().close();
  return samples;
}

/** A 320x180 10 fps y4m test pattern for the gallery's cheap senders (ffmpeg). */
async function smallCamera(dir: string): Promise<string> {
  const file = join(dir, 'camera-320x180.y4m');
  await promisify(execFile)('ffmpeg', [
    ...['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=10', '-t', '5'],
    ...['-pix_fmt', 'yuv420p', '-y', file],
  ]);
  return file;
}

async function measureGallery(nsBrowser: Browser, link: NetnsLink, origin: string, url: string, size: number) {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-bench-'));
  const browser = await launchChromium({ args: [`--use-file-for-fake-video-capture=${await smallCamera(dir)}`] });
  try {
    return await measureGalleryWith(browser, nsBrowser, link, origin, url, size);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureGalleryWith(
  browser: Browser,
  nsBrowser: Browser,
  link: NetnsLink,
  origin: string,
  url: string,
  gallerySize: number,
) {
  const senders: Page[] = [];
  // The chair is already in the room; 14 townships join on loopback, the 15th over the weak link.
  for (const user of TOWNSHIPS.slice(1, gallerySize - 1)) {
    // Joins slow down as the room fills (every page encodes a camera): wait longer than openTerminal does.
    const { page } = await openTerminal(browser, url, user, ROOM, { expectJoined: false });
    senders.push(page);
    const started = performance.now();
    await waitForJoined(page, 120_000).catch(async (err: Error) => {
      const shot = join(REPO_ROOT, 'test-results', `township-link-bench-${user}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      throw new Error(`${user} did not join (screenshot ${shot}): ${err.message}`);
    });
    console.error(`township link gallery: ${user} joined in ${Math.round(performance.now() - started)} ms`);
    await page.getByTestId('receive-audio-only').check();
    await page.getByTestId('toggle-mic').click();
  }
  const township = await openTerminal(nsBrowser, origin, TOWNSHIPS[0] as string, ROOM, { expectJoined: false });
  await waitForJoined(township.page, 120_000);
  // Let bandwidth estimation and the layer policy settle before measuring.
  await township.page.waitForTimeout(30_000);
  const before = await link.counters();
  const windowMs = 30_000;
  const started = performance.now();
  await township.page.waitForTimeout(windowMs);
  const after = await link.counters();
  const seconds = (performance.now() - started) / 1000;
  const live = await liveInboundStreams(township.page, 2_000);
  const heldBack = await township.page.getByTestId('tile-held-back').count();
  const tiles = await township.page.getByTestId('tile').count();
  const kbit = (bytes: number) => Math.round((bytes * 8) / seconds / 1000);
  for (const page of senders) await page.context().close();
  await township.context.close();
  return {
    participants: senders.length + 2, // + the chair + the township
    windowSeconds: Math.round(seconds),
    downKbit: kbit(after.down.txBytes - before.down.txBytes),
    offeredDownKbit: kbit(after.down.rxBytes - before.down.rxBytes),
    upKbit: kbit(after.up.txBytes - before.up.txBytes),
    downQueueDrops: after.down.dropQueue - before.down.dropQueue,
    downKbitPerRemote: Math.round(kbit(after.down.txBytes - before.down.txBytes) / (senders.length + 1)),
    liveVideoAtTownship: live.video,
    liveAudioAtTownship: live.audio,
    tilesHeldBackAtTownship: heldBack,
    tilesAtTownship: tiles,
  };
}

/** `gallery`: participants in the gallery, the township and the chair included (default 16, at most 16). */
/** `settleMs`: how long the first join stays before leaving (default 30 s, see (i) above). */
export async function runTownshipLink(opts: {
  joins: number;
  gallery?: number;
  settleMs?: number;
}): Promise<TownshipLinkResult> {
  const link = await createNetnsLink();
  let beacon: Awaited<ReturnType<typeof startBeaconProcess>> | undefined;
  let browser: Browser | undefined;
  let nsBrowser: Browser | undefined;
  try {
    beacon = await startBeaconProcess({
      env: reachableThrough(link),
    });
    const applied = await link.shape(TOWNSHIP_LINK);
    const origin = `http://${link.hostIp}:${beacon.port}`;
    browser = await launchChromium();
    nsBrowser = await launchChromiumInNamespace(link, origin);
    const chair = await openTerminal(browser, beacon.url, 'chair', ROOM);
    await chair.page.getByTestId('receive-audio-only').check();
    const joined = await measureJoins(nsBrowser, origin, opts.joins, opts.settleMs ?? 30_000);
    const joinSamplesMs = joined.samplesMs;
    console.error(`township link: join samples ${joinSamplesMs.join(', ')} ms; now the gallery`);
    const gallery = await measureGallery(nsBrowser, link, origin, beacon.url, Math.min(16, opts.gallery ?? 16));
    return {
      link: `down ${applied.downlink}; up ${applied.uplink}`,
      joins: opts.joins,
      joinSamplesMs,
      joinP50Ms: percentile(joinSamplesMs, 50),
      joinP95Ms: percentile(joinSamplesMs, 95),
      joinStepsP50Ms: joined.stepsP50Ms(),
      gallery,
    };
  } finally {
    await nsBrowser?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    // To see where a join's time went on the server side (with LOG_LEVEL=info: link budgets, starts).
    if (beacon && process.env.BENCH_BEACON_LOG) await writeFile(process.env.BENCH_BEACON_LOG, beacon.output());
    await beacon?.stop();
    await link.destroy();
  }
}

export function printTownshipLink(result: TownshipLinkResult): void {
  console.log(`link: ${result.link}`);
  console.log(
    `join → first remote frame decoded (${result.joinSamplesMs.length}/${result.joins} joins): ` +
      `p50 ${result.joinP50Ms} ms, p95 ${result.joinP95Ms} ms; samples: ${result.joinSamplesMs.join(', ')} ms`,
  );
  const [first, ...returning] = result.joinSamplesMs;
  if (first !== undefined && returning.length > 0) {
    console.log(
      `first join (link unknown) ${first} ms; returning joins (from the remembered link): ` +
        `p50 ${percentile(returning, 50)} ms, p95 ${percentile(returning, 95)} ms`,
    );
  }
  console.log(
    `where a join's time goes (median ms after the click): ${Object.entries(result.joinStepsP50Ms)
      .map(([step, ms]) => `${step} ${ms}`)
      .join(', ')}`,
  );
  console.log(
    `${result.gallery.participants}-township gallery, township's link over ${result.gallery.windowSeconds} s:`,
  );
  console.table([result.gallery]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.LOG_LEVEL ??= 'warn';
  printTownshipLink(
    await runTownshipLink({
      joins: Number(process.env.BENCH_JOINS ?? 10),
      gallery: Number(process.env.BENCH_GALLERY ?? 16),
      settleMs: Number(process.env.BENCH_SETTLE_MS ?? 30_000),
    }),
  );
}
