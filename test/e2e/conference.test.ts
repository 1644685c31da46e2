/**
 * Three real Chromium terminals (the chair and two townships) join one
 * conference through the real signaling server and mediasoup worker, and
 * each must decode the other two's video and receive their audio.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { mediaWorkerPids } from '../src/beaconProcess.ts';
import { liveInboundStreams } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';

const ROOM = 'city-weekly';
const USERS = ['chair', 'lucheng', 'donggua'] as const;

describe('three terminals in one conference', () => {
  const e2e = useE2e();
  const pages: Page[] = [];

  it('each terminal decodes the two others’ video and receives their audio', async () => {
    for (const user of USERS) {
      const page = await e2e.openPage(user, `#/room/${ROOM}`);
      pages.push(page);
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
    const staying = pages.slice(0, 2);
    const [workerPid] = await mediaWorkerPids(e2e.beacon.pid);
    expect(workerPid).toBeTypeOf('number');
    process.kill(workerPid as number, 'SIGKILL');

    await expect.poll(async () => (await mediaWorkerPids(e2e.beacon.pid))[0], { timeout: 15_000 }).not.toBe(workerPid);
    for (const page of staying) {
      await expect
        .poll(() => liveInboundStreams(page), { timeout: 30_000, interval: 500 })
        .toEqual({ video: 1, audio: 1 });
      await expect.poll(() => page.getByTestId('tile').count(), { timeout: 5_000 }).toBe(1);
    }
  });
});
