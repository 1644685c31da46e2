/**
 * Glass-to-glass latency and key-frame recovery for a SIP video terminal,
 * through the whole chain: Chromium's camera → mediasoup → the SIP gateway
 * (forwarded, or transcoded by the room's ffmpeg) → the terminal's decoder.
 *
 * Two Chromium participants (the chair and a township) publish a canvas as
 * their camera on which each frame paints the wall clock and a source number
 * (test/src/frameStamp.ts). The terminal dials in through Kamailio with its
 * PIN (SIPp: signalling, audio, and an SDP whose H.264 video port is the
 * bench's receiver, test/src/terminalViewReceiver.ts); the receiver decodes
 * every frame with ffmpeg and reads the time back: now − painted.
 *
 *  - forwarded: the browsers send H.264 (the page offers no other video codec), the gateway relays it.
 *  - transcoded: the browsers send VP8 (the console's choice), the room's ffmpeg makes H.264.
 *
 * Key-frame recovery: (1) at a main-view switch (the chair calls on the
 * township: 点名, then stops the roll call and the view falls back to the
 * chair), from the click to the first decoded frame of the new view (and to
 * the first IDR's arrival); (2) after the terminal asks (RTCP PLI, then FIR
 * in turn) at a random instant, to the first IDR that arrives and its decode.
 *
 * Also the CPU of the gateway process and of the transcoding ffmpeg while the
 * latency is measured (procfs; on a busy machine read them as rough).
 *
 * Run alone: `node --import tsx --conditions=beacon-source test/bench/sipGlass.ts`
 * (console built: `npm run build -w console`). BENCH_G2G_FRAMES (default 300), BENCH_G2G_SWITCHES (8),
 * BENCH_G2G_REQUESTS (8).
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { joinRoom, launchChromium, newTerminalContext, remotePeerIds } from '../src/browser.ts';
import { stampedCameraScript } from '../src/frameStamp.ts';
import { startSipBeacon } from '../src/sipBeacon.ts';
import { type SippHandle, startSipp } from '../src/sipp.ts';
import { type DecodedFrame, TerminalViewReceiver } from '../src/terminalViewReceiver.ts';
import { CLOCK_TICKS_PER_SECOND, cpuTimes } from './benchTools.ts';
import { percentile } from './stats.ts';

const ROOM = 'city-weekly';
const SCENARIO = resolve(import.meta.dirname, 'sipp/uac-video-terminal.xml');
const CHAIR_SOURCE = 1;
const TOWNSHIP_SOURCE = 2;
/** What the terminal offers (b=AS): room for the top simulcast layer, so a forwarded view is forwarded. */
const TERMINAL_KBPS = 2048;

export type GlassMode = 'forwarded' | 'transcoded';

export interface GlassLatencyRow {
  mode: GlassMode;
  frames: number;
  /** now − painted, at the decoder's output. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** painted → the frame's last packet at the terminal (before decoding). */
  arrivalP50Ms: number;
  /** The picture size most frames had (a forwarded view is the simulcast layer chosen). */
  decodedSize: string;
  decodedFps: number;
  gatewayCpuPercent: number;
  ffmpegCpuPercent: number;
  load1: number;
}

export interface RecoveryRow {
  mode: GlassMode;
  event: 'main-view switch' | 'PLI/FIR from the terminal';
  samples: number;
  /** To the first key frame's last packet at the terminal. */
  keyFrameP50Ms: number | null;
  keyFrameMaxMs: number | null;
  /** To the first decoded frame of the new view (switch) / the key frame decoded (request). */
  decodedP50Ms: number | null;
  decodedMaxMs: number | null;
  missed: number;
  /** RTP packets the terminal never got during these measurements (sequence gaps). */
  lostPackets: number;
}

export interface GlassOptions {
  frames: number;
  switches: number;
  requests: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x);

/** The descendants of `pid` (procfs children lists). */
async function descendants(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const pids = children.split(/\s+/).filter(Boolean).map(Number);
  const nested = await Promise.all(pids.map(descendants));
  return [...pids, ...nested.flat()];
}

async function processesMatching(root: number, pattern: RegExp): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await descendants(root)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (pattern.test(cmdline.replaceAll('\0', ' '))) found.push(pid);
  }
  return found;
}

async function ticksOf(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const t = await cpuTimes(pid).catch(() => ({ user: 0, system: 0 }));
    ticks += t.user + t.system;
  }
  return ticks;
}

/** Resolves with the first frame after now that `accept` takes, or null after `timeoutMs`. */
function nextFrame(
  receiver: TerminalViewReceiver,
  accept: (f: DecodedFrame) => boolean,
  timeoutMs: number,
): Promise<DecodedFrame | null> {
  return new Promise((done) => {
    const stop = receiver.onFrame((frame) => {
      if (!accept(frame)) return;
      clearTimeout(timer);
      stop();
      done(frame);
    });
    const timer = setTimeout(() => {
      stop();
      done(null);
    }, timeoutMs);
  });
}

async function openParticipant(browser: Browser, url: string, user: string, source: number, h264Only: boolean) {
  const context = await newTerminalContext(browser);
  await context.addInitScript(stampedCameraScript({ source, fps: 30, h264Only }));
  const page = await context.newPage();
  await joinRoom(page, url, user, ROOM);
  return page;
}

async function rollCall(chair: Page, peerId: string | null): Promise<void> {
  if (peerId === null) {
    await chair.getByTestId('rollcall-stop').click({ timeout: 10_000 });
    return;
  }
  const tab = chair.getByTestId('participants-tab');
  if ((await tab.count()) > 0) await tab.click();
  const row = chair.locator(`[data-testid="participant"][data-peer-id="${peerId}"]`);
  await row.getByTestId('participant-rollcall').click({ timeout: 10_000 });
}

function summary(values: number[]): { p50: number | null; max: number | null } {
  if (values.length === 0) return { p50: null, max: null };
  return { p50: round(percentile(values, 50)), max: round(Math.max(...values)) };
}

export async function runSipGlass(
  mode: GlassMode,
  opts: GlassOptions,
): Promise<{ latency: GlassLatencyRow; recovery: RecoveryRow[] }> {
  // No RTP from the terminal after its PIN (SIPp plays no speech): the gateway must not hang up on it (10 min, its
  // maximum, is longer than one mode takes).
  const sip = await startSipBeacon({ rtpTimeoutMs: 600_000 });
  const browser = await launchChromium();
  const receiver = await TerminalViewReceiver.open();
  let sipp: SippHandle | null = null;
  try {
    const h264Only = mode === 'forwarded';
    const chair = await openParticipant(browser, sip.beacon.url, 'chair', CHAIR_SOURCE, h264Only);
    await openParticipant(browser, sip.beacon.url, 'lucheng', TOWNSHIP_SOURCE, h264Only);
    const township = await waitForPeer(chair);
    const extension = mode === 'forwarded' ? '8201' : '8202';
    const password = await sip.addVideoTerminal(extension, 'lucheng');
    sipp = await startSipp({
      scenario: SCENARIO,
      target: `${sip.sip.host}:${sip.sip.port}`,
      service: '6001',
      authUser: extension,
      password,
      calls: 1,
      pauseMs: 3_600_000,
      timeoutMs: 3_600_000,
      keys: { video_port: String(receiver.port), video_kbps: String(TERMINAL_KBPS) },
    });
    // The main view is the chair (no spotlight, nobody speaks).
    const first = await nextFrame(receiver, (f) => f.stamp?.source === CHAIR_SOURCE, 60_000);
    if (!first) {
      const sources = [...new Set(receiver.frames.map((f) => f.stamp?.source ?? 'unreadable'))].join(', ');
      throw new Error(
        `${mode}: the terminal decoded no stamped frame of the chair in 60 s (${receiver.packets} packets, ` +
          `${receiver.keyFrames.length} key frames, ${receiver.frames.length} frames decoded; sources: ${sources}; ` +
          `decoder: ${receiver.decoderErrors.join(' | ')})`,
      );
    }
    await sleep(2_000);

    const latency = await measureLatency(mode, sip.beacon.pid, receiver, opts.frames);
    const switches = await measureSwitches(mode, chair, township, receiver, opts.switches);
    const requests = await measureRequests(mode, receiver, opts.requests);
    return { latency, recovery: [switches, requests] };
  } finally {
    await sipp?.stop();
    await receiver.close();
    await browser.close();
    await sip.stop();
  }
}

async function waitForPeer(chair: Page): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [peer] = await remotePeerIds(chair);
    if (peer) return peer;
    await sleep(200);
  }
  throw new Error('the township never appeared on the chair’s page');
}

async function measureLatency(
  mode: GlassMode,
  beaconPid: number,
  receiver: TerminalViewReceiver,
  frames: number,
): Promise<GlassLatencyRow> {
  const gateway = await processesMatching(beaconPid, /sip-gateway/);
  const transcoder = await processesMatching(beaconPid, /ffmpeg.*libx264/);
  const cpuStart = { gateway: await ticksOf(gateway), ffmpeg: await ticksOf(transcoder) };
  const collected: DecodedFrame[] = [];
  const started = Date.now();
  const load1 = loadavg()[0] ?? 0;
  await new Promise<void>((done) => {
    const stop = receiver.onFrame((frame) => {
      if (frame.stamp) collected.push(frame);
      if (collected.length >= frames || Date.now() - started > 120_000) {
        stop();
        done();
      }
    });
  });
  const seconds = (Date.now() - started) / 1000;
  const cpu = (ticks: number) => Math.round((ticks / CLOCK_TICKS_PER_SECOND / seconds) * 1000) / 10;
  const latencies = collected.map((f) => f.at - (f.stamp?.ms ?? f.at));
  const arrivals = collected.flatMap((f) => (f.arrivedAt === null ? [] : [f.arrivedAt - (f.stamp?.ms ?? f.at)]));
  const sizes = new Map<string, number>();
  for (const f of collected) sizes.set(f.size, (sizes.get(f.size) ?? 0) + 1);
  return {
    mode,
    frames: collected.length,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    maxMs: round(Math.max(...latencies)),
    arrivalP50Ms: round(percentile(arrivals, 50)),
    decodedSize: [...sizes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
    decodedFps: Math.round((collected.length / seconds) * 10) / 10,
    gatewayCpuPercent: cpu((await ticksOf(gateway)) - cpuStart.gateway),
    ffmpegCpuPercent: cpu((await ticksOf(transcoder)) - cpuStart.ffmpeg),
    load1: Math.round(load1 * 10) / 10,
  };
}

async function measureSwitches(
  mode: GlassMode,
  chair: Page,
  township: string,
  receiver: TerminalViewReceiver,
  switches: number,
): Promise<RecoveryRow> {
  const keyFrame: number[] = [];
  const decoded: number[] = [];
  let missed = 0;
  const lostBefore = receiver.lostPackets;
  for (let i = 0; i < switches; i++) {
    const toTownship = i % 2 === 0;
    const source = toTownship ? TOWNSHIP_SOURCE : CHAIR_SOURCE;
    await sleep(2_000 + Math.random() * 2_000);
    const clicked = Date.now();
    const seen = nextFrame(receiver, (f) => f.stamp?.source === source, 15_000);
    await rollCall(chair, toTownship ? township : null);
    const frame = await seen;
    if (!frame) {
      missed += 1;
      continue;
    }
    decoded.push(frame.at - clicked);
    const key = receiver.keyFrames.find((k) => k.at >= clicked);
    if (key) keyFrame.push(key.at - clicked);
  }
  return recoveryRow(mode, 'main-view switch', { keyFrame, decoded, missed }, receiver.lostPackets - lostBefore);
}

async function measureRequests(
  mode: GlassMode,
  receiver: TerminalViewReceiver,
  requests: number,
): Promise<RecoveryRow> {
  const keyFrame: number[] = [];
  const decoded: number[] = [];
  let missed = 0;
  const lostBefore = receiver.lostPackets;
  for (let i = 0; i < requests; i++) {
    // A random instant: a periodic key frame (the transcoder's GOP) must not line up with the request.
    await sleep(1_500 + Math.random() * 2_500);
    const asked = Date.now();
    const seen = nextFrame(receiver, (f) => f.idr && (f.arrivedAt ?? f.at) >= asked, 10_000);
    receiver.requestKeyFrame(i % 2 === 0 ? 'pli' : 'fir');
    const frame = await seen;
    if (!frame) {
      missed += 1;
      continue;
    }
    decoded.push(frame.at - asked);
    const key = receiver.keyFrames.find((k) => k.at >= asked);
    if (key) keyFrame.push(key.at - asked);
  }
  return recoveryRow(
    mode,
    'PLI/FIR from the terminal',
    { keyFrame, decoded, missed },
    receiver.lostPackets - lostBefore,
  );
}

/** One recovery table row: ms from the event to the key frame's last packet and to its decoded frame. */
function recoveryRow(
  mode: GlassMode,
  event: RecoveryRow['event'],
  samples: { keyFrame: number[]; decoded: number[]; missed: number },
  lostPackets: number,
): RecoveryRow {
  const k = summary(samples.keyFrame);
  const d = summary(samples.decoded);
  return {
    mode,
    event,
    samples: samples.decoded.length,
    keyFrameP50Ms: k.p50,
    keyFrameMaxMs: k.max,
    decodedP50Ms: d.p50,
    decodedMaxMs: d.max,
    missed: samples.missed,
    lostPackets,
  };
}

export function glassOptionsFromEnv(): GlassOptions {
  return {
    frames: Number(process.env.BENCH_G2G_FRAMES ?? 300),
    switches: Number(process.env.BENCH_G2G_SWITCHES ?? 8),
    requests: Number(process.env.BENCH_G2G_REQUESTS ?? 8),
  };
}

/** Both modes, printed as two tables (latency, recovery). */
export async function printSipGlass(opts: GlassOptions): Promise<void> {
  const forwarded = await runSipGlass('forwarded', opts);
  const transcoded = await runSipGlass('transcoded', opts);
  console.table([forwarded.latency, transcoded.latency]);
  console.table([...forwarded.recovery, ...transcoded.recovery]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.LOG_LEVEL ??= 'warn';
  await printSipGlass(glassOptionsFromEnv());
}
