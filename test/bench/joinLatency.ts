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
  /** Median time from the click to each step the console marks (joinMarks.ts), in join order. */
  stepsP50Ms: Record<string, number>;
}

/** One join: the first decoded frame and each marked step, in ms after the click. */
interface JoinSample {
  ms: number;
  steps: Record<string, number>;
}

export async function runJoinLatency(opts: { joins: number }): Promise<JoinLatencyResult> {
  const beacon = await startBeaconProcess();
  const browser = await launchChromium();
  const samplesMs: number[] = [];
  const stepSamples = new Map<string, number[]>();
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
      const elapsed = page.evaluate(async (): Promise<JoinSample> => {
        type Hook = { recvTransportStats(): Promise<Record<string, unknown>[]> };
        const started = performance.now();
        for (;;) {
          // The hook appears once the conference page has mounted.
          const hook = (globalThis as unknown as { __beacon?: Hook }).__beacon;
          const stats = hook ? await hook.recvTransportStats().catch(() => []) : [];
          const decoded = stats.some(
            (s) => s.type === 'inbound-rtp' && s.kind === 'video' && Number(s.framesDecoded) > 0,
          );
          const ms = performance.now() - started;
          if (decoded || ms > 30_000) {
            // No named helper in here: the page runs this text, without the bundler's helpers.
            const steps: Record<string, number> = {};
            for (const mark of performance.getEntriesByType('mark')) {
              if (mark.name.startsWith('beacon:join:'))
                steps[mark.name.slice('beacon:join:'.length)] = Math.round(mark.startTime - started);
            }
            return { ms: decoded ? ms : Number.NaN, steps };
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      });
      // Handled now, awaited below: a page error while the click is pending must not end the process before `finally`
      // stops Beacon (an unhandled rejection would leave its server running).
      elapsed.catch(() => undefined);
      await joinButton.click();
      const sample = await elapsed;
      if (Number.isFinite(sample.ms)) {
        samplesMs.push(Math.round(sample.ms));
        for (const [step, at] of Object.entries(sample.steps))
          stepSamples.set(step, [...(stepSamples.get(step) ?? []), at]);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await beacon.stop();
  }
  const stepsP50Ms = Object.fromEntries(
    [...stepSamples.entries()]
      .map(([step, values]) => [step, percentile(values, 50)] as const)
      .sort((a, b) => a[1] - b[1]),
  );
  return {
    joins: opts.joins,
    samplesMs,
    p50Ms: percentile(samplesMs, 50),
    p95Ms: percentile(samplesMs, 95),
    stepsP50Ms,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runJoinLatency({ joins: Number(process.env.BENCH_JOINS ?? 10) });
  console.log(JSON.stringify(result, null, 2));
}
