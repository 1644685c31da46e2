/**
 * Map render time in Chromium: the duty officer opens the command room with
 * N township markers (synthetic townships) and M incidents on the map; time
 * from navigation to every marker in the DOM, and to the map idle after it.
 *
 * Run alone: `node --import tsx test/bench/mapRender.ts` (also part of `npm run bench`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { launchChromium, loginThroughUi, newTerminalContext } from '../src/browser.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { BENCH_BOX, seedTownships } from './seedTownships.ts';

const TYPES = ['flood', 'landslide', 'forest_fire', 'earthquake', 'heavy_rain', 'road_blocked', 'other'];
const LEVELS = ['I', 'II', 'III', 'IV'];

export async function runMapRender(opts: { townships: number; incidents: number; runs: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-map-bench-'));
  await seedTownships(dataDir, opts.townships - 15);
  const beacon = await startBeaconProcess({ dataDir });
  const browser = await launchChromium();
  try {
    const { token } = await loginApi(beacon.url, 'duty');
    for (let i = 0; i < opts.incidents; i++) {
      await apiJson(beacon.url, token, '/api/v1/incidents', {
        method: 'POST',
        body: JSON.stringify({
          type: TYPES[i % TYPES.length],
          level: LEVELS[i % LEVELS.length],
          title: `基准事件 ${i}`,
          location: [BENCH_BOX.south + (i % 50) / 50, BENCH_BOX.west + Math.floor(i / 50) / 50],
        }),
      });
    }
    const samples: number[] = [];
    for (let run = 0; run < opts.runs; run++) {
      const context = await newTerminalContext(browser);
      const page = await context.newPage();
      await loginThroughUi(page, beacon.url, 'duty', DEMO_PASSWORD, '#/rooms');
      await page.getByTestId('nav-command').waitFor({ timeout: 15_000 });
      const started = Date.now();
      // Page-side code as strings: this file is type-checked without the DOM library.
      await page.evaluate("location.hash = '#/command'");
      await page.waitForFunction(
        `document.querySelectorAll('[data-testid^="township-marker-"]').length >= ${opts.townships} &&
         document.querySelectorAll('[data-testid^="incident-marker-"]').length >= ${opts.incidents}`,
        undefined,
        { timeout: 120_000, polling: 50 },
      );
      // One more frame: the markers are painted, not only in the DOM.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      samples.push(Date.now() - started);
      await context.close();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      townshipMarkers: opts.townships,
      incidentMarkers: opts.incidents,
      runs: samples.length,
      renderMedianMs: sorted[Math.floor(sorted.length / 2)],
      renderMaxMs: sorted.at(-1),
      samplesMs: samples.join(', '),
    };
  } finally {
    await browser.close();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('## Map: 2,000 township/terminal markers + 500 incidents, command room render time in Chromium');
  console.table([await runMapRender({ townships: 2000, incidents: 500, runs: 3 })]);
}
