/**
 * The duty officer's early warning, end to end in real browsers: an area drawn
 * over two townships highlights exactly those two; issuing it puts a banner on
 * both townships' terminals (and not on a third); one acknowledges, the ack
 * board shows one acknowledged and one not, and escalation re-notifies the one
 * that did not.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BeaconProcess, DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { launchChromium, loginThroughUi, newTerminalContext } from '../src/browser.ts';

let beacon: BeaconProcess;
let browser: Browser;
let duty: Page;
const terminals: Record<string, Page> = {};

/** A box around 鹿城镇 (25.04, 101.54) and 东瓜镇 (25.02, 101.60) only. */
const BOX: [number, number][] = [
  [25.0, 101.5],
  [25.0, 101.63],
  [25.07, 101.63],
  [25.07, 101.5],
];

async function openPage(user: string, hash: string): Promise<Page> {
  const context = await newTerminalContext(browser);
  const page = await context.newPage();
  await loginThroughUi(page, beacon.url, user, DEMO_PASSWORD, hash);
  return page;
}

async function poll<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const attr = (page: Page, testId: string, name: string) =>
  page
    .getByTestId(testId)
    .first()
    .getAttribute(name, { timeout: 1000 })
    .catch(() => null);

describe('early warning with acknowledgement', () => {
  beforeAll(async () => {
    // Escalation is checked every half second so a 3-second interval shows within the test.
    beacon = await startBeaconProcess({ env: { BEACON_ESCALATION_TICK_MS: '500' } });
    browser = await launchChromium();
    for (const township of ['lucheng', 'donggua', 'zixi']) {
      terminals[township] = await openPage(township, '#/terminal');
      await terminals[township].getByTestId('terminal-page').waitFor({ timeout: 15_000 });
    }
    duty = await openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    // The terminals are online on the map before anything is issued.
    for (const township of ['lucheng', 'donggua']) {
      await poll(
        () => attr(duty, `township-marker-${township}`, 'data-video'),
        (v) => v === 'online',
      );
    }
  });

  afterAll(async () => {
    await browser?.close();
    await beacon?.stop();
  });

  it('highlights exactly the two townships under a drawn area', async () => {
    await duty.getByTestId('command-tab-warnings').click();
    await duty.evaluate((points) => {
      const hook = (globalThis as unknown as { __beaconCommand: { drawPolygon(p: [number, number][]): void } })
        .__beaconCommand;
      hook.drawPolygon(points);
    }, BOX);
    const affected = await poll(
      () =>
        duty
          .locator('[data-testid="warning-affected"] li')
          .evaluateAll((items) => items.map((li) => li.getAttribute('data-township-id')).sort()),
      (ids) => ids.length > 0,
    );
    expect(affected).toEqual(['donggua', 'lucheng']);
    const highlighted = await duty
      .locator('[data-testid^="township-marker-"][data-highlight="true"]')
      .evaluateAll((markers) => markers.map((m) => m.getAttribute('data-testid')).sort());
    expect(highlighted).toEqual(['township-marker-donggua', 'township-marker-lucheng']);
  });

  it('issues it: both terminals show the banner, one acks, the board and escalation follow', async () => {
    await duty.getByTestId('warning-event').fill('暴雨');
    await duty.getByTestId('warning-headline').fill('暴雨红色预警：鹿城镇、东瓜镇');
    await duty.getByTestId('warning-escalation').fill('0.05');
    await duty.getByTestId('warning-submit').click();
    await duty.getByTestId('warning-detail').waitFor({ timeout: 10_000 });
    expect(await attr(duty, 'warning-detail', 'data-status')).toBe('draft');
    await duty.getByTestId('warning-issue').click();

    for (const township of ['lucheng', 'donggua']) {
      await terminals[township]?.getByTestId('alert-banner').waitFor({ timeout: 15_000 });
    }
    const warningId = await attr(terminals.lucheng as Page, 'alert-banner', 'data-warning-id');
    expect(warningId).toBeTruthy();
    expect(await attr(terminals.donggua as Page, 'alert-banner', 'data-warning-id')).toBe(warningId);
    // 紫溪镇 is outside the area: no banner.
    expect(await terminals.zixi?.getByTestId('alert-banner').count()).toBe(0);

    await terminals.lucheng?.getByTestId('alert-ack').click();
    await terminals.lucheng?.getByTestId('alert-acked').waitFor({ timeout: 10_000 });

    await poll(
      () => attr(duty, 'ack-row-lucheng', 'data-state'),
      (s) => s === 'acknowledged',
    );
    const donggua = await attr(duty, 'ack-row-donggua', 'data-state');
    expect(['pending', 'delivered']).toContain(donggua);

    // Escalation: the pending township is notified again (its board line counts it, its banner says so).
    await poll(
      () => attr(duty, 'ack-row-donggua', 'data-notify-count'),
      (n) => Number(n) >= 2,
      20_000,
    );
    expect(Number(await attr(duty, 'ack-row-lucheng', 'data-notify-count'))).toBe(1);
    expect(await attr(duty, 'ack-row-lucheng', 'data-state')).toBe('acknowledged');
    await terminals.donggua?.getByTestId('alert-banner').waitFor();
    expect(await terminals.donggua?.getByTestId('alert-banner').textContent()).toContain('再次通知');
  });
});
