/**
 * The duty officer's early warning, end to end in real browsers: an area drawn
 * over two townships highlights exactly those two; issuing it puts a banner on
 * both townships' terminals (and not on a third); one acknowledges, the ack
 * board shows one acknowledged and one not, and escalation re-notifies the one
 * that did not.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { drawWarningPolygon, previewedTownships } from '../src/commandMap.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { waitFor } from '../src/waitFor.ts';

let duty: Page;
const terminals: Record<string, Page> = {};

/** A box around 鹿城镇 (25.04, 101.54) and 东瓜镇 (25.02, 101.60) only. */
const BOX: [number, number][] = [
  [25.0, 101.5],
  [25.0, 101.63],
  [25.07, 101.63],
  [25.07, 101.5],
];

describe('early warning with acknowledgement', () => {
  // Escalation is checked every half second so a 3-second interval shows within the test.
  const e2e = useE2e({ beacon: { env: { BEACON_ESCALATION_TICK_MS: '500' } } });

  beforeAll(async () => {
    for (const township of ['lucheng', 'donggua', 'zixi']) {
      terminals[township] = await e2e.openPage(township, '#/terminal');
      await terminals[township].getByTestId('terminal-page').waitFor({ timeout: 15_000 });
    }
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    // The terminals are online on the map before anything is issued.
    for (const township of ['lucheng', 'donggua']) {
      await waitFor(
        `${township} online on the map`,
        () => attr(duty, `township-marker-${township}`, 'data-video'),
        (v) => v === 'online',
      );
    }
  });

  it('highlights exactly the two townships under a drawn area', async () => {
    await duty.getByTestId('command-tab-warnings').click();
    await drawWarningPolygon(duty, BOX);
    expect((await previewedTownships(duty)).sort()).toEqual(['donggua', 'lucheng']);
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

    await waitFor(
      'lucheng acknowledged on the board',
      () => attr(duty, 'ack-row-lucheng', 'data-state'),
      (s) => s === 'acknowledged',
    );
    const donggua = await attr(duty, 'ack-row-donggua', 'data-state');
    expect(['pending', 'delivered']).toContain(donggua);

    // Escalation: the pending township is notified again (its board line counts it, its banner says so).
    await waitFor(
      'donggua notified again',
      () => attr(duty, 'ack-row-donggua', 'data-notify-count'),
      (n) => Number(n) >= 2,
      { timeoutMs: 20_000 },
    );
    expect(Number(await attr(duty, 'ack-row-lucheng', 'data-notify-count'))).toBe(1);
    expect(await attr(duty, 'ack-row-lucheng', 'data-state')).toBe('acknowledged');
    await terminals.donggua?.getByTestId('alert-banner').waitFor();
    expect(await terminals.donggua?.getByTestId('alert-banner').textContent()).toContain('再次通知');
  });
});
