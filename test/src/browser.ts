/**
 * Debian's Chromium driven by playwright-core, with a fake camera and mic.
 * Never downloads a browser: the executable is the system one.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { DEMO_PASSWORD, REPO_ROOT } from './beaconProcess.ts';
import { waitFor } from './waitFor.ts';

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

export interface LaunchOptions {
  /** Another executable, e.g. a wrapper that runs Chromium inside a network namespace (netns.ts). */
  executablePath?: string;
  args?: string[];
  /** Environment of the browser process, e.g. HOME with an NSS database that trusts Beacon's CA (nssdb.ts). */
  env?: Record<string, string>;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run "bash scripts/setup.sh --with-tests" (apt-get install chromium)`,
    );
  }
  const extra = process.env.BEACON_CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? [];
  return chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extra, ...(options.args ?? [])],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
}

/**
 * A Chromium that runs inside a network namespace (`chromiumWrapper` of a
 * test/src/netns.ts link) and treats the plain-HTTP `origin` it reaches over
 * that link as secure, so the terminal may open its camera without HTTPS.
 */
export function launchChromiumInNamespace(link: { chromiumWrapper: string }, origin: string): Promise<Browser> {
  return launchChromium({
    executablePath: link.chromiumWrapper,
    args: [`--unsafely-treat-insecure-origin-as-secure=${origin}`],
  });
}

/** The peer ids of the remote participants `page` shows (the console's test hook). */
export function remotePeerIds(page: Page): Promise<string[]> {
  return page.evaluate(
    () => (globalThis as unknown as { __beacon?: { peerIds(): string[] } }).__beacon?.peerIds() ?? [],
  );
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

/** One user's page in a conference. */
export interface Terminal {
  user: string;
  context: BrowserContext;
  page: Page;
}

/** The conference root's `data-state` (joining, joined, reconnecting, error, removed, ended). */
export function conferenceState(page: Page): Promise<string | null> {
  return page
    .getByTestId('conference')
    .getAttribute('data-state', { timeout: 2_000 })
    .catch(() => null);
}

export interface JoinOptions {
  /** View-only (broadcast audience). */
  audience?: boolean;
  /** Wait for `data-state=joined` (default true). */
  expectJoined?: boolean;
  password?: string;
}

/**
 * Logs `user` in through the UI on `page` and opens the room's deep link;
 * waits for `data-state=joined` unless `expectJoined` is false.
 */
export async function joinRoom(
  page: Page,
  baseUrl: string,
  user: string,
  roomId: string,
  options: JoinOptions = {},
): Promise<void> {
  const hash = `#/room/${roomId}${options.audience ? '?audience=1' : ''}`;
  await loginThroughUi(page, baseUrl, user, options.password ?? DEMO_PASSWORD, hash);
  if (options.expectJoined !== false) {
    await waitForJoined(page);
  }
}

/** `joinRoom` in a fresh context of `browser`. */
export async function openTerminal(
  browser: Browser,
  baseUrl: string,
  user: string,
  roomId: string,
  options: JoinOptions = {},
): Promise<Terminal> {
  const context = await newTerminalContext(browser);
  const page = await context.newPage();
  await joinRoom(page, baseUrl, user, roomId, options);
  return { user, context, page };
}

export async function waitForJoined(page: Page, timeout = 30_000): Promise<void> {
  await waitFor(
    'the conference to be joined',
    () => conferenceState(page),
    (state) => state === 'joined',
    {
      timeoutMs: timeout,
      intervalMs: 250,
    },
  );
}

export interface ConsumerLayer {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  paused: boolean;
  spatialLayer: number | null;
  /** The layer the page asked the server for (view size, receive cap); null before any. */
  requestedLayer: number | null;
}

/** The page's consumers with the simulcast layer the server says each receives (`__beacon.consumerLayers()`). */
export async function consumerLayers(page: Page): Promise<ConsumerLayer[]> {
  return page.evaluate(() => {
    const hook = (globalThis as unknown as { __beacon?: { consumerLayers?(): ConsumerLayer[] } }).__beacon;
    return hook?.consumerLayers ? JSON.parse(JSON.stringify(hook.consumerLayers())) : [];
  });
}

/** Attribute of the first element with this test id, or null when absent. */
export async function testIdAttribute(page: Page, testId: string, name: string): Promise<string | null> {
  const locator = page.getByTestId(testId).first();
  if ((await locator.count()) === 0) return null;
  return locator.getAttribute(name, { timeout: 2_000 }).catch(() => null);
}

/** `data-<name>` of the participant entry of `peerId` on this page (null when absent). */
export async function participantAttribute(page: Page, peerId: string, name: string): Promise<string | null> {
  const entry = page.locator(`[data-testid="participant"][data-peer-id="${peerId}"]`).first();
  if ((await entry.count()) === 0) return null;
  return entry.getAttribute(name, { timeout: 2_000 }).catch(() => null);
}

export interface InboundStat {
  id: string;
  kind: 'audio' | 'video';
  trackIdentifier?: string;
  framesDecoded?: number;
  packetsReceived?: number;
  packetsLost?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
  /** 0..1, the level of the last samples played (audio only). */
  audioLevel?: number;
  frameWidth?: number;
  frameHeight?: number;
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
        packetsLost: s.packetsLost as number | undefined,
        totalSamplesReceived: s.totalSamplesReceived as number | undefined,
        concealedSamples: s.concealedSamples as number | undefined,
        audioLevel: s.audioLevel as number | undefined,
        frameWidth: s.frameWidth as number | undefined,
        frameHeight: s.frameHeight as number | undefined,
      }));
  });
}

/** The ICE candidate pair a transport uses: its local candidate's type and protocols, the remote address. */
export interface SelectedPair {
  localType: string | null;
  localProtocol: string | null;
  relayProtocol: string | null;
  remoteAddress: string | null;
  remotePort: number | null;
}

/**
 * The selected candidate pair of the page's send or recv transport (the
 * transport's selectedCandidatePairId, else a nominated succeeded pair),
 * via the console's test hook; null before ICE has chosen one.
 */
export function selectedPair(page: Page, direction: 'send' | 'recv'): Promise<SelectedPair | null> {
  return page.evaluate(async (direction) => {
    type Stat = Record<string, unknown>;
    const hook = (
      globalThis as unknown as {
        __beacon?: { recvTransportStats(): Promise<Stat[]>; sendTransportStats(): Promise<Stat[]> };
      }
    ).__beacon;
    if (!hook) return null;
    const stats = await (direction === 'send' ? hook.sendTransportStats() : hook.recvTransportStats());
    const byId = new Map(stats.map((s) => [s.id, s]));
    const selectedId = stats.find((s) => s.type === 'transport')?.selectedCandidatePairId;
    const pair =
      byId.get(selectedId) ??
      stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    if (!pair) return null;
    const local = byId.get(pair.localCandidateId);
    const remote = byId.get(pair.remoteCandidateId);
    return {
      localType: (local?.candidateType as string | undefined) ?? null,
      localProtocol: (local?.protocol as string | undefined) ?? null,
      relayProtocol: (local?.relayProtocol as string | undefined) ?? null,
      remoteAddress: ((remote?.address ?? remote?.ip) as string | undefined) ?? null,
      remotePort: (remote?.port as number | undefined) ?? null,
    };
  }, direction);
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

/**
 * Live inbound streams by remote peer: a consumer counts when its inbound-rtp
 * (matched by trackIdentifier = consumerId, as mediasoup-client names remote
 * tracks) decoded frames / received packets over `intervalMs`.
 */
export async function liveInboundByPeer(
  page: Page,
  intervalMs = 1000,
): Promise<Record<string, { audio: boolean; video: boolean }>> {
  const before = new Map((await inboundStats(page)).map((s) => [s.trackIdentifier, s]));
  await page.waitForTimeout(intervalMs);
  const after = await inboundStats(page);
  const layers = await consumerLayers(page);
  const result: Record<string, { audio: boolean; video: boolean }> = {};
  for (const consumer of layers) {
    const now = after.find((s) => s.trackIdentifier === consumer.consumerId);
    const prev = before.get(consumer.consumerId);
    const entry = result[consumer.peerId] ?? { audio: false, video: false };
    result[consumer.peerId] = entry;
    if (!now || !prev) continue;
    if (consumer.kind === 'video' && (now.framesDecoded ?? 0) > (prev.framesDecoded ?? 0)) entry.video = true;
    if (consumer.kind === 'audio' && (now.packetsReceived ?? 0) > (prev.packetsReceived ?? 0)) entry.audio = true;
  }
  return result;
}

export interface OutboundLayer {
  rid: string | null;
  frameWidth: number | null;
  framesPerSecond: number | null;
  bytesSent: number;
  qualityLimitationReason: string | null;
}

/** The page's outbound video encodings (simulcast layers) from its send transport. */
export async function outboundVideoLayers(page: Page): Promise<OutboundLayer[]> {
  return page.evaluate(async () => {
    const hook = (globalThis as unknown as { __beacon?: { sendTransportStats(): Promise<Record<string, unknown>[]> } })
      .__beacon;
    const stats = (await hook?.sendTransportStats()) ?? [];
    return stats
      .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
      .map((s) => ({
        rid: (s.rid as string | undefined) ?? null,
        frameWidth: (s.frameWidth as number | undefined) ?? null,
        framesPerSecond: (s.framesPerSecond as number | undefined) ?? null,
        bytesSent: (s.bytesSent as number | undefined) ?? 0,
        qualityLimitationReason: (s.qualityLimitationReason as string | undefined) ?? null,
      }));
  });
}
