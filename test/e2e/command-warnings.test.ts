/**
 * The duty officer's early warning, end to end in real browsers: an area drawn
 * over two townships highlights exactly those two; issuing it puts a banner on
 * both townships' terminals (and not on a third); one acknowledges, the ack
 * board shows one acknowledged and one not, and escalation re-notifies the one
 * that did not. A village of 鹿城镇 has two loudspeakers (应急广播): one (a SIPp
 * UAS registered through the real Kamailio) answers and plays the warning, the
 * other never registered; the board's 广播 column shows 1/2 played, 1 failed,
 * and its detail says which and why.
 */
import type { CreatedTerminal, LoudspeakerStatus } from '@beacon/protocol';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { drawWarningPolygon, previewedTownships } from '../src/commandMap.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson } from '../src/signaling.ts';
import { sipBeaconEnv, waitForSubscriber } from '../src/sipBeacon.ts';
import { startSipp } from '../src/sipp.ts';
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

/** The SIP gateway and Kamailio, for the village loudspeakers. */
const phones = await sipBeaconEnv();

describe('early warning with acknowledgement', () => {
  // Escalation is checked every half second so a 3-second interval shows within the test.
  const e2e = useE2e({
    beacon: { env: { ...phones.env, BEACON_ESCALATION_TICK_MS: '500', BEACON_LOUDSPEAKER_REPEAT: '1' } },
  });

  beforeAll(async () => {
    // 龙泉村 of 鹿城镇 (inside the box) and its loudspeakers, as an admin registers them.
    const admin = await e2e.token('admin');
    const post = <T>(path: string, body: unknown) =>
      apiJson<T>(e2e.url, admin, path, { method: 'POST', body: JSON.stringify(body) });
    const village = await post<{ id: string }>('/api/v1/admin/villages', {
      townshipId: 'lucheng',
      name: '龙泉村',
      kind: 'village',
      lat: 25.045,
      lon: 101.545,
    });
    const answering = await post<CreatedTerminal>('/api/v1/admin/terminals', {
      kind: 'loudspeaker',
      name: '村委会广播',
      villageId: village.id,
      extension: '9301',
    });
    await post<CreatedTerminal>('/api/v1/admin/terminals', {
      kind: 'loudspeaker',
      name: '学校广播',
      villageId: village.id,
      extension: '9302',
    });
    const password = answering.sip?.password ?? '';
    await waitForSubscriber(e2e.beacon, '9301', password);
    const uas = await startSipp({
      scenario: 'uas-answer.xml',
      target: `${phones.sip.host}:${phones.sip.port}`,
      register: { user: '9301', password },
      pauseMs: 0,
      timeoutMs: 600_000,
    });
    e2e.own(uas, (u) => u.stop());
    await waitFor(
      'signaling to know the loudspeaker registered',
      () => apiJson<LoudspeakerStatus[]>(e2e.url, admin, '/api/v1/sip/loudspeakers'),
      (list) => list.some((l) => l.extension === '9301' && l.registered),
      { timeoutMs: 45_000, intervalMs: 250 },
    );

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

    // 广播: the answering loudspeaker played the warning, the unregistered one failed; live on the board.
    const cell = 'ack-loudspeaker-lucheng';
    await waitFor(
      '1 of 2 loudspeakers played on the board',
      async () => `${await attr(duty, cell, 'data-played')}/${await attr(duty, cell, 'data-total')}`,
      (count) => count === '1/2',
      { timeoutMs: 60_000 },
    );
    const column = duty.getByTestId(cell);
    expect(await column.textContent()).toContain('1/2 已播放');
    expect(await column.textContent()).toContain('1 失败');
    await column.getByRole('button').click();
    await duty.getByTestId('loudspeaker-detail-lucheng').waitFor({ timeout: 10_000 });
    expect(await attr(duty, 'loudspeaker-9301', 'data-state')).toBe('played');
    expect(await attr(duty, 'loudspeaker-9302', 'data-state')).toBe('failed');
    expect(await attr(duty, 'loudspeaker-9302', 'data-failure')).toBe('not_registered');
    expect(await duty.getByTestId('loudspeaker-9302').textContent()).toContain('学校广播');
  });
});
