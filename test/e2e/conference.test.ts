/**
 * Three real Chromium terminals (the chair and two townships) join one
 * conference through the real signaling server and mediasoup worker, and
 * each must decode the other two's video and receive their audio.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type BeaconProcess, DEMO_PASSWORD, mediaWorkerPids, startBeaconProcess } from '../src/beaconProcess.ts';
import {
  launchChromium,
  liveInboundStreams,
  loginThroughUi,
  newTerminalContext,
  screenshotAll,
} from '../src/browser.ts';

const ROOM = 'city-weekly';
const USERS = ['chair', 'lucheng', 'donggua'] as const;

describe('three terminals in one conference', () => {
  let beacon: BeaconProcess;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    beacon = await startBeaconProcess();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await beacon?.stop();
  });

  const failWith = (label: string) =>
    onTestFailed(async () => {
      const shots = await screenshotAll(pages, label);
      console.error(`screenshots: ${shots.join(', ')}\nserver output:\n${beacon.output().slice(-4000)}`);
    });

  it('each terminal decodes the two others’ video and receives their audio', async () => {
    failWith('conference-join');
    for (const user of USERS) {
      const context = await newTerminalContext(browser);
      const page = await context.newPage();
      pages.push(page);
      await loginThroughUi(page, beacon.url, user, DEMO_PASSWORD, `#/room/${ROOM}`);
      await expect
        .poll(() => page.getByTestId('conference').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('joined');
    }

    for (const page of pages) {
      await expect.poll(() => page.getByTestId('tile').count(), { timeout: 30_000 }).toBe(2);
      await expect
        .poll(() => liveInboundStreams(page), { timeout: 30_000, interval: 500 })
        .toEqual({ video: 2, audio: 2 });
    }
  });

  it('when one leaves, the others’ UI and stats show it gone within 2 s', async () => {
    failWith('conference-leave');
    const leaving = pages[2] as Page;
    const staying = pages.slice(0, 2);
    const participantsBefore = await Promise.all(staying.map((page) => page.getByTestId('participant').count()));

    await leaving.getByTestId('leave').click();
    await Promise.all(
      staying.map(async (page, index) => {
        await expect.poll(() => page.getByTestId('tile').count(), { timeout: 2_000, interval: 100 }).toBe(1);
        await expect
          .poll(() => page.getByTestId('participant').count(), { timeout: 2_000, interval: 100 })
          .toBe((participantsBefore[index] ?? 0) - 1);
        // Only the remaining remote peer's streams still advance.
        await expect
          .poll(() => liveInboundStreams(page, 400), { timeout: 2_000, interval: 0 })
          .toEqual({ video: 1, audio: 1 });
      }),
    );
  });

  it('when the media worker dies, the terminals re-join by themselves and media flows again', async () => {
    failWith('conference-worker-death');
    const staying = pages.slice(0, 2);
    const [workerPid] = await mediaWorkerPids(beacon.pid);
    expect(workerPid).toBeTypeOf('number');
    process.kill(workerPid as number, 'SIGKILL');

    await expect.poll(async () => (await mediaWorkerPids(beacon.pid))[0], { timeout: 15_000 }).not.toBe(workerPid);
    for (const page of staying) {
      await expect
        .poll(() => liveInboundStreams(page), { timeout: 30_000, interval: 500 })
        .toEqual({ video: 1, audio: 1 });
      await expect.poll(() => page.getByTestId('tile').count(), { timeout: 5_000 }).toBe(1);
    }
  });
});
