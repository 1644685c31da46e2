/**
 * A hardware SIP video terminal, through the real chain: baresip with its
 * video modules (avcodec H.264, a file as the camera) → Kamailio → the
 * gateway → signaling → mediasoup, with a Chromium participant.
 *
 * The admin registers the terminal (kind sip_video) like a desk phone; it
 * registers, dials the meeting's number and PIN, and is answered with H.264
 * (packetization-mode 1) beside its audio. The browser decodes the
 * terminal's video (framesDecoded grows on an H.264 consumer). The chair can
 * also call a terminal from the phone panel: the INVITE then offers H.264.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PeerInfo } from '@beacon/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipVideoUnavailableReason, startBaresip } from '../src/baresip.ts';
import { joinRoom, liveInboundByPeer, type Terminal } from '../src/browser.ts';
import { type E2e, useE2e } from '../src/e2eFixture.ts';
import { waitForPromptEnd } from '../src/heardPrompt.ts';
import type { SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { waitFor as waitUntil } from '../src/waitFor.ts';

const run = promisify(execFile);
const unavailable = baresipVideoUnavailableReason();
if (unavailable) console.warn(`SIP video e2e tests skipped: ${unavailable}`);

let e2e: E2e<SipBeacon['beacon']>;
let sip: SipBeacon;
let work: string;
let watcher: SignalingClient;
/** The terminal of the first test, used by the next (one call: each dial-in costs seconds). */
let first: { terminal: BaresipPhone; peerId: string } | null = null;

function terminalPeer(extension: string): PeerInfo | undefined {
  return [...watcher.peers.values()].find((p) => p.device === 'phone' && p.phone?.extension === extension);
}

/** The codecs of the page's inbound video streams (mimeType per inbound-rtp with frames decoded). */
async function inboundVideoCodecs(terminal: Terminal): Promise<string[]> {
  return terminal.page.evaluate(async () => {
    type Hooks = { __beacon?: { recvTransportStats(): Promise<Record<string, unknown>[]> } };
    const stats = (await (globalThis as unknown as Hooks).__beacon?.recvTransportStats()) ?? [];
    const codecs = new Map(stats.filter((s) => s.type === 'codec').map((s) => [s.id, String(s.mimeType)]));
    return stats
      .filter((s) => s.type === 'inbound-rtp' && s.kind === 'video' && Number(s.framesDecoded ?? 0) > 0)
      .map((s) => codecs.get(s.codecId) ?? 'unknown');
  });
}

describe.skipIf(unavailable !== null)('SIP video terminals', () => {
  let chair: Terminal;
  let clip: string;
  e2e = useE2e({
    async start(resources) {
      work = resources.own(await mkdtemp(join(tmpdir(), 'beacon-sip-video-')), (dir) =>
        rm(dir, { recursive: true, force: true }),
      );
      // The terminal's camera: ffmpeg's test pattern, 2 minutes (baresip's avformat source does not loop).
      clip = join(work, 'camera.mp4');
      await run('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '120'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30', clip],
      ]);
      // The terminals' microphone.
      await run('sox', [
        '-n',
        '-r',
        '8000',
        '-c',
        '1',
        '-b',
        '16',
        join(work, 'tone.wav'),
        'synth',
        '5',
        'sine',
        '440',
      ]);
      sip = resources.own(await startSipBeacon(), (s) => s.stop());
      return sip.beacon;
    },
  });

  beforeAll(async () => {
    watcher = await e2e.client('duty');
    await watcher.join('city-weekly');
    const page = await e2e.newPage('chair');
    await joinRoom(page, e2e.url, 'chair', 'city-weekly');
    chair = { user: 'chair', context: page.context(), page };
  });

  async function dialIn(extension: string): Promise<BaresipPhone> {
    const recordDir = join(work, `rec-${extension}`);
    await mkdir(recordDir, { recursive: true });
    const password = await sip.addVideoTerminal(extension, 'lucheng');
    const terminal = e2e.own(
      await startBaresip({
        extension,
        password,
        registrar: sip.sip,
        sourceWav: join(work, 'tone.wav'),
        recordDir,
        video: { sourceFile: clip },
      }),
      (p) => p.stop().catch(() => undefined),
    );
    await terminal.waitRegistered();
    await terminal.dial(`sip:6001@127.0.0.1:${sip.sip.port}`);
    await terminal.waitEstablished(15_000);
    await waitForPromptEnd(terminal);
    await terminal.sendDtmf('2026#');
    await waitUntil('the terminal in city-weekly', () => terminalPeer(extension), Boolean, { timeoutMs: 30_000 });
    return terminal;
  }

  it('registers, dials in with the PIN, and Chromium decodes its H.264 video', async () => {
    const terminal = await dialIn('8101');
    // packetization-mode 1 was agreed (baresip offers mode 0 first, as many terminals do).
    expect(terminal.log()).toMatch(/Set video encoder: H264 packetization-mode=1/);
    const peer = terminalPeer('8101');
    expect(peer?.displayName).toBe('鹿城镇·8101');
    const peerId = peer?.peerId ?? '';
    await waitUntil(
      'the chair decoding the terminal video',
      () => liveInboundByPeer(chair.page),
      (live) => Boolean(live[peerId]?.video),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(await inboundVideoCodecs(chair)).toContain('video/H264');

    // The terminal receives the main view — the chair's VP8 camera, transcoded to H.264 — and decodes it.
    const snapshot = join(work, 'main-view-1.png');
    await terminal.snapshotReceived(snapshot, 30_000);
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', snapshot],
    ]);
    const [width, height] = stdout.trim().split(',').map(Number);
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
    expect(terminal.log()).toMatch(/video: receiving with resolution \d+ x \d+/);
    first = { terminal, peerId };
  });

  /** The width × height of what the terminal decodes now (a fresh snapshot each time). */
  let shots = 0;
  async function decodedSize(terminal: BaresipPhone): Promise<string> {
    shots += 1;
    const path = join(work, `shot-${shots}.png`);
    await terminal.snapshotReceived(path, 20_000);
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path],
    ]);
    return stdout.trim();
  }

  it('a second terminal gets the first one forwarded when the chair calls on it (roll call)', async () => {
    if (!first) throw new Error('needs the first test’s terminal');
    const second = await dialIn('8102');
    const page = chair.page;
    const participants = page.getByTestId('participants-tab');
    if ((await participants.count()) > 0) await participants.click();
    const row = page.locator(`[data-testid="participant"][data-peer-id="${first.peerId}"]`);
    await row.getByTestId('participant-rollcall').click();
    // The first terminal's camera is the 320×240 test pattern (the chair's camera is not): once the main
    // view switched, the second terminal decodes that size, forwarded as H.264 without a transcoder.
    await waitUntil(
      'the second terminal decoding the first',
      () => decodedSize(second),
      (size) => size === '320,240',
      {
        timeoutMs: 40_000,
        intervalMs: 500,
      },
    );
    await second.hangup();
  });

  it('is listed as a video terminal; the chair stops its video and removes it (BYE)', async () => {
    if (!first) throw new Error('needs the first test’s terminal');
    const { terminal, peerId } = first;
    const page = chair.page;
    const participants = page.getByTestId('participants-tab');
    if ((await participants.count()) > 0) await participants.click();
    const row = page.locator(`[data-testid="participant"][data-peer-id="${peerId}"]`);
    await row.locator('[data-terminal="video"]').waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('视频终端');

    // Stop video: the chair's copy of the terminal's camera stops decoding new frames.
    await row.getByTestId('participant-stop-camera').click();
    await waitUntil(
      'the terminal camera stopped by the chair',
      () => terminalPeer('8101')?.videoMutedBy,
      (by) => by === 'chair',
    );
    await waitUntil(
      'no new frames from the terminal',
      () => liveInboundByPeer(page),
      (live) => !live[peerId]?.video,
      {
        timeoutMs: 15_000,
        intervalMs: 500,
      },
    );

    // Remove: the gateway says why, then hangs up with a BYE.
    await page.getByTestId(`hangup-${peerId}`).click();
    expect(await terminal.waitClosed(25_000)).toBeTruthy();
    await waitUntil(
      'the terminal gone from the room',
      () => watcher.peers.has(peerId),
      (has) => !has,
      {
        timeoutMs: 10_000,
      },
    );
  });

  it('the chair calls a video terminal from the phone panel: the INVITE offers H.264 and Chromium decodes it', async () => {
    const extension = '8103';
    const recordDir = join(work, `rec-${extension}`);
    await mkdir(recordDir, { recursive: true });
    const password = await sip.addVideoTerminal(extension, 'lucheng');
    const terminal = e2e.own(
      await startBaresip({
        extension,
        password,
        registrar: sip.sip,
        sourceWav: join(work, 'tone.wav'),
        recordDir,
        autoAnswer: true,
        video: { sourceFile: clip },
      }),
      (p) => p.stop().catch(() => undefined),
    );
    await terminal.waitRegistered();
    const page = chair.page;
    await page.getByTestId('phones-tab').click();
    // Listed as a video terminal (the panel reads the terminals as it opens), and callable once registered.
    await page.getByTestId(`dial-video-${extension}`).waitFor({ timeout: 15_000 });
    await waitUntil(
      'the terminal registered in the panel',
      () =>
        page
          .getByTestId(`reg-state-${extension}`)
          .getAttribute('data-status', { timeout: 1000 })
          .catch(() => null),
      (status) => status === 'registered',
      { timeoutMs: 20_000 },
    );
    await page.getByTestId(`dial-button-${extension}`).click();
    await terminal.waitEstablished(20_000);
    // Its camera in the room (a video terminal, not a phone): the answer took our H.264.
    const peer = await waitUntil(
      'the called terminal in city-weekly with its camera',
      () => terminalPeer(extension),
      (p) => p?.phone?.video === true,
      { timeoutMs: 30_000 },
    );
    expect(terminal.log()).toMatch(/Set video encoder: H264 packetization-mode=1/);
    await waitUntil(
      'the chair decoding the called terminal',
      () => liveInboundByPeer(page),
      (live) => Boolean(live[peer?.peerId ?? '']?.video),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await terminal.hangup();
  });
});
