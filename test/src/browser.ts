/**
 * Debian's Chromium driven by playwright-core, with a fake camera and mic.
 * Never downloads a browser: the executable is the system one.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './beaconProcess.ts';

export const CHROMIUM_PATH = process.env.BEACON_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // Background tabs would otherwise throttle timers and video decoding.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run "bash scripts/setup.sh --with-tests" (apt-get install chromium)`,
    );
  }
  const extra = process.env.BEACON_CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? [];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extra] });
}

export async function newTerminalContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] });
}

/** Logs in through the login form; `hash` is where the app goes after login. */
export async function loginThroughUi(page: Page, baseUrl: string, username: string, password: string, hash = '') {
  await page.goto(`${baseUrl}/${hash}`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

export interface InboundStat {
  id: string;
  kind: 'audio' | 'video';
  trackIdentifier?: string;
  framesDecoded?: number;
  packetsReceived?: number;
  totalSamplesReceived?: number;
}

/** inbound-rtp entries of the page's receive transport (via the console's test hook). */
export async function inboundStats(page: Page): Promise<InboundStat[]> {
  return page.evaluate(async () => {
    const hook = (globalThis as unknown as { __beacon?: { recvTransportStats(): Promise<Record<string, unknown>[]> } })
      .__beacon;
    if (!hook) return [];
    const stats = await hook.recvTransportStats();
    return stats
      .filter((s) => s.type === 'inbound-rtp')
      .map((s) => ({
        id: String(s.id),
        kind: s.kind as 'audio' | 'video',
        trackIdentifier: s.trackIdentifier as string | undefined,
        framesDecoded: s.framesDecoded as number | undefined,
        packetsReceived: s.packetsReceived as number | undefined,
        totalSamplesReceived: s.totalSamplesReceived as number | undefined,
      }));
  });
}

/**
 * Which inbound streams are live: sampled twice, `intervalMs` apart, a video
 * stream counts when framesDecoded grew and an audio stream when
 * packetsReceived grew.
 */
export async function liveInboundStreams(page: Page, intervalMs = 1000): Promise<{ video: number; audio: number }> {
  const before = new Map((await inboundStats(page)).map((s) => [s.id, s]));
  await page.waitForTimeout(intervalMs);
  const after = await inboundStats(page);
  let video = 0;
  let audio = 0;
  for (const s of after) {
    const prev = before.get(s.id);
    if (!prev) continue;
    if (s.kind === 'video' && (s.framesDecoded ?? 0) > (prev.framesDecoded ?? 0)) video++;
    if (s.kind === 'audio' && (s.packetsReceived ?? 0) > (prev.packetsReceived ?? 0)) audio++;
  }
  return { video, audio };
}

/** Saves a screenshot of each page under test-results/ (used on failure). */
export async function screenshotAll(pages: Page[], label: string): Promise<string[]> {
  const dir = join(REPO_ROOT, 'test-results');
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [index, page] of pages.entries()) {
    if (page.isClosed()) continue;
    const file = join(dir, `${label.replace(/[^a-z0-9-]+/gi, '_')}-${index}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    files.push(file);
  }
  return files;
}
