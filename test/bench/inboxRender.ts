/**
 * The duty desk's inbox in Chromium with N report chains (default 500, typed
 * in over the API for the demo townships, their events spread over weeks so
 * few are flagged as duplicates): time from opening the command room and its
 * 报送 tab to every card painted (the list fetched and rendered), then from a new report posted to its card painted (the
 * socket push and the re-render of the whole list with duplicate flags).
 * Each also as the page's main-thread busy time, which a loaded machine
 * distorts less than the wall clock.
 *
 * Run alone: `npm run ts -- test/bench/inboxRender.ts [--reports 500] [--runs 3]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { launchChromium, loginThroughUi, newTerminalContext } from '../src/browser.ts';
import { apiJson, loginApi } from '../src/signaling.ts';

const TYPES = ['flood', 'landslide', 'forest_fire', 'earthquake', 'heavy_rain', 'road_blocked', 'other'];
/** The inbox loads the newest 500 chains (console reportApi.list); later ones arrive by socket. */
const INBOX_LIMIT = 500;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function runInboxRender(opts: { reports: number; runs: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-inbox-bench-'));
  const beacon = await startBeaconProcess({ dataDir });
  const browser = await launchChromium();
  try {
    const { token } = await loginApi(beacon.url, 'duty');
    const townships = (await apiJson<{ id: string }[]>(beacon.url, token, '/api/v1/townships')).map((t) => t.id);
    const typeIn = (i: number) =>
      apiJson(beacon.url, token, '/api/v1/reports', {
        method: 'POST',
        body: JSON.stringify({
          type: TYPES[i % TYPES.length],
          title: `基准报送 ${i}`,
          // One event every 97 minutes, back over weeks: an inbox's history, not one event reported 500 times.
          occurredAt: new Date(Date.now() - i * 97 * 60_000).toISOString(),
          description: `第 ${i} 份电话报告：道路边坡垮塌，现场有人员被困，请求支援。`,
          casualties: { injured: i % 3, trapped: i % 5 },
          channel: 'phone',
          caller: `值班电话 ${i}`,
          townshipId: townships[i % townships.length],
        }),
      });
    for (let i = 0; i < opts.reports; i++) await typeIn(i);

    const openMs: number[] = [];
    const updateMs: number[] = [];
    const openBusyMs: number[] = [];
    const updateBusyMs: number[] = [];
    const frame = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';
    for (let run = 0; run < opts.runs; run++) {
      const context = await newTerminalContext(browser);
      const page = await context.newPage();
      // The page's main-thread busy time (Chromium's TaskDuration): on a loaded machine the wall clock also counts
      // waiting for a core; this counts only the work the page did.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const busy = async () =>
        ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
      await loginThroughUi(page, beacon.url, 'duty', DEMO_PASSWORD, '#/rooms');
      await page.getByTestId('nav-command').waitFor({ timeout: 15_000 });
      const cards = Math.min(opts.reports + run, INBOX_LIMIT);
      let started = Date.now();
      let busyBefore = await busy();
      // Page-side code as strings: this file is type-checked without the DOM library.
      await page.evaluate("location.hash = '#/command'");
      await page.getByTestId('command-tab-inbox').click({ timeout: 30_000 });
      // A locator, not waitForFunction: the page's CSP forbids the string evaluation its polling uses.
      await page
        .getByTestId('inbox-chain')
        .nth(cards - 1)
        .waitFor({ state: 'attached', timeout: 120_000 });
      await page.evaluate(frame);
      openMs.push(Date.now() - started);
      openBusyMs.push(Math.round((await busy()) - busyBefore));

      started = Date.now();
      busyBefore = await busy();
      await typeIn(opts.reports + run);
      await page.getByTestId('inbox-chain').nth(cards).waitFor({ state: 'attached', timeout: 60_000 });
      await page.evaluate(frame);
      updateMs.push(Date.now() - started);
      updateBusyMs.push(Math.round((await busy()) - busyBefore));
      await context.close();
    }
    return {
      reports: opts.reports,
      runs: opts.runs,
      'open inbox median ms': median(openMs),
      'open inbox max ms': Math.max(...openMs),
      'new report → card median ms': median(updateMs),
      'new report → card max ms': Math.max(...updateMs),
      'open: page busy median ms': median(openBusyMs),
      'new report: page busy median ms': median(updateBusyMs),
      samples: `open ${openMs.join(', ')} (busy ${openBusyMs.join(', ')}); update ${updateMs.join(', ')} (busy ${updateBusyMs.join(', ')})`,
    };
  } finally {
    await browser.close();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { reports: { type: 'string' }, runs: { type: 'string' } } });
  const reports = Number(values.reports ?? 500);
  console.log(`## Inbox: ${reports} report chains, render time in Chromium`);
  console.table([await runInboxRender({ reports, runs: Number(values.runs ?? 3) })]);
}
