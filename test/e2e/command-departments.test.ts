/**
 * Departments in the command room (部门联动), end to end in real browsers: the duty officer issues a warning to
 * an area over two townships plus the water bureau (chosen by hand) and sends the bureau a task; the bureau's
 * page shows the banner and the task, acknowledges both; the ack board shows the bureau acknowledged, and a
 * township terminal never sees the bureau's task.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { drawWarningPolygon, previewedTownships } from '../src/commandMap.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { createDepartmentAccount } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

const WATER = 'dp-sw';
const WATER_USER = 'water-duty';
const WATER_PASSWORD = 'Quiet-harbour-lamp-4';

/** A box around 鹿城镇 (25.04, 101.54) and 东瓜镇 (25.02, 101.60) only. */
const BOX: [number, number][] = [
  [25.0, 101.5],
  [25.0, 101.63],
  [25.07, 101.63],
  [25.07, 101.5],
];

describe('departments in the command room', () => {
  const e2e = useE2e();
  let duty: Page;
  let water: Page;
  let lucheng: Page;

  beforeAll(async () => {
    // The water bureau's account, as an admin creates it; its first password changed as the policy asks.
    const admin = await e2e.token('admin');
    await createDepartmentAccount(e2e.url, admin, {
      username: WATER_USER,
      displayName: '水务局值班',
      departmentId: WATER,
      password: WATER_PASSWORD,
    });

    water = await e2e.openPage(WATER_USER, '#/terminal', { password: WATER_PASSWORD });
    await water.getByTestId('terminal-page').waitFor({ timeout: 15_000 });
    await waitFor(
      'the bureau’s page online',
      () => attr(water, 'terminal-page', 'data-connection'),
      (c) => c === 'online',
    );
    await waitFor(
      'the bureau’s name on its page',
      () => water.getByTestId('terminal-township').textContent({ timeout: 1000 }),
      (text) => text?.includes('水务局') === true,
    );
    lucheng = await e2e.openPage('lucheng', '#/terminal');
    await lucheng.getByTestId('terminal-page').waitFor({ timeout: 15_000 });
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
  });

  it('warns an area’s townships plus the water bureau; the bureau acks its banner; the board shows it', async () => {
    await duty.getByTestId('command-tab-warnings').click();
    await drawWarningPolygon(duty, BOX);
    expect((await previewedTownships(duty)).sort()).toEqual(['donggua', 'lucheng']);
    await duty.getByTestId('warning-event').fill('暴雨');
    await duty.getByTestId('warning-headline').fill('暴雨橙色预警：水库超汛限');
    await duty.getByTestId(`warning-departments-${WATER}`).check({ timeout: 15_000 });
    await duty.getByTestId('warning-submit').click();
    await duty.getByTestId('warning-detail').waitFor({ timeout: 10_000 });
    await duty.getByTestId('warning-issue').click();

    await water.getByTestId('alert-banner').waitFor({ timeout: 15_000 });
    expect(await water.getByTestId('alert-banner').textContent()).toContain('水库超汛限');
    await lucheng.getByTestId('alert-banner').waitFor({ timeout: 15_000 });

    const row = `ack-row-department:${WATER}`;
    await duty.getByTestId(row).waitFor({ timeout: 15_000 });
    expect(['pending', 'delivered']).toContain(await attr(duty, row, 'data-state'));
    await water.getByTestId('alert-ack').click();
    await water.getByTestId('alert-acked').waitFor({ timeout: 10_000 });
    await waitFor(
      'the bureau acknowledged on the board',
      () => attr(duty, row, 'data-state'),
      (s) => s === 'acknowledged',
    );
    expect(await duty.getByTestId(row).textContent()).toContain('水务');
    // The townships' lines are their own: 鹿城镇 has not acknowledged.
    expect(await attr(duty, 'ack-row-lucheng', 'data-state')).not.toBe('acknowledged');
  });

  it('sends the bureau a task: its page shows it, acknowledges it; a township never sees it', async () => {
    await duty.getByTestId('command-tab-tasks').click();
    await duty.getByTestId(`task-departments-${WATER}`).check({ timeout: 15_000 });
    await duty.getByTestId('task-text').fill('核查青山嘴水库水位');
    await duty.getByTestId('task-submit').click();

    const task = water.getByTestId('task').filter({ hasText: '核查青山嘴水库水位' });
    await task.waitFor({ timeout: 15_000 });
    const taskId = await task.getAttribute('data-task-id');
    expect(taskId).toBeTruthy();
    await water.getByTestId(`task-ack-${taskId}`).click();
    await waitFor(
      'the bureau’s task acknowledged on its page',
      () => task.getAttribute('data-status', { timeout: 1000 }).catch(() => null),
      (s) => s === 'acknowledged',
    );
    await waitFor(
      'the task acknowledged on the duty desk',
      () => attr(duty, `task-row-${taskId}`, 'data-status'),
      (s) => s === 'acknowledged',
    );
    expect(await duty.getByTestId(`task-row-${taskId}`).textContent()).toContain('水务');
    expect(await lucheng.getByTestId('task').filter({ hasText: '核查青山嘴水库水位' }).count()).toBe(0);
  });
});
