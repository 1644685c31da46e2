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
import { JoinSamples, timeJoinInPage } from './joinTiming.ts';
import { percentile } from './stats.ts';

const ROOM = 'city-weekly';

export interface JoinLatencyResult {
  joins: number;
  samplesMs: number[];
  p50Ms: number;
  p95Ms: number;
  /** Median time from the click to each step the console marks (joinMarks.ts), in join order. */
  stepsP50Ms: Record<string, number>;
}

export async function runJoinLatency(opts: { joins: number }): Promise<JoinLatencyResult> {
  const beacon = await startBeaconProcess();
  const browser = await launchChromium();
  const joins = new JoinSamples();
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
      const elapsed = timeJoinInPage(page, 30_000);
      await joinButton.click();
      joins.add(await elapsed);
      await context.close();
    }
  } finally {
    await browser.close();
    await beacon.stop();
  }
  return {
    joins: opts.joins,
    samplesMs: joins.samplesMs,
    p50Ms: percentile(joins.samplesMs, 50),
    p95Ms: percentile(joins.samplesMs, 95),
    stepsP50Ms: joins.stepsP50Ms(),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runJoinLatency({ joins: Number(process.env.BENCH_JOINS ?? 10) });
  console.log(JSON.stringify(result, null, 2));
}
