/**
 * Join → first remote frame decoded, in real Chromium.
 *
 * The chair sits in the room sending its fake camera. Each run opens a fresh
 * township terminal, logs in (not timed), then times from the click on the
 * room's join button to the first inbound video frame decoded, measured
 * inside the page so the driver's round trips don't count.
 */
import { pathToFileURL } from 'node:url';
import { DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { launchChromium, loginThroughUi, newTerminalContext } from '../src/browser.ts';
import { percentile } from './stats.ts';

const ROOM = 'city-weekly';

export interface JoinLatencyResult {
  joins: number;
  samplesMs: number[];
  p50Ms: number;
  p95Ms: number;
}

export async function runJoinLatency(opts: { joins: number }): Promise<JoinLatencyResult> {
  const beacon = await startBeaconProcess();
  const browser = await launchChromium();
  const samplesMs: number[] = [];
  try {
    const chairPage = await (await newTerminalContext(browser)).newPage();
    await loginThroughUi(chairPage, beacon.url, 'chair', DEMO_PASSWORD, `#/room/${ROOM}`);
    await chairPage.waitForSelector('[data-testid="conference"][data-state="joined"]', { timeout: 30_000 });

    const townships = ['lucheng', 'donggua', 'lvhe', 'zixi', 'donghua', 'ziwu', 'cangling', 'sanjie', 'bajiao'];
    for (let i = 0; i < opts.joins; i++) {
      const context = await newTerminalContext(browser);
      const page = await context.newPage();
      await loginThroughUi(page, beacon.url, townships[i % townships.length] as string, DEMO_PASSWORD, '#/rooms');
      const joinButton = page.getByTestId(`join-${ROOM}`);
      await joinButton.waitFor({ timeout: 30_000 });
      // Start the in-page clock and poller, then click.
      const elapsed = page.evaluate(async () => {
        type Hook = { recvTransportStats(): Promise<Record<string, unknown>[]> };
        const started = performance.now();
        for (;;) {
          // The hook appears once the conference page has mounted.
          const hook = (globalThis as unknown as { __beacon?: Hook }).__beacon;
          const stats = hook ? await hook.recvTransportStats().catch(() => []) : [];
          const decoded = stats.some(
            (s) => s.type === 'inbound-rtp' && s.kind === 'video' && Number(s.framesDecoded) > 0,
          );
          if (decoded) return performance.now() - started;
          if (performance.now() - started > 30_000) return Number.NaN;
          await new Promise((r) => setTimeout(r, 10));
        }
      });
      await joinButton.click();
      const ms = await elapsed;
      if (Number.isFinite(ms)) samplesMs.push(Math.round(ms));
      await context.close();
    }
  } finally {
    await browser.close();
    await beacon.stop();
  }
  return { joins: opts.joins, samplesMs, p50Ms: percentile(samplesMs, 50), p95Ms: percentile(samplesMs, 95) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runJoinLatency({ joins: Number(process.env.BENCH_JOINS ?? 10) });
  console.log(JSON.stringify(result, null, 2));
}
