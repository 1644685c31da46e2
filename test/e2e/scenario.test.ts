/**
 * One whole scenario in real browsers, from below to the after-action report: 鹿城镇's terminal reports a landslide
 * → the water bureau's page reports the same event (at the area's centre, 1.4 km away) → the duty desk sees the two
 * flagged as likely duplicates and merges the bureau's into the township's, both pages say so → an incident from
 * the chain, the level-III plan started → the plan's tasks and checklist items reach the township and the bureau →
 * both tick their items → the after-action report lists the chain with the merged report and the checklist done.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, createDepartmentAccount } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

const WATER = 'dp-sw';
const WATER_USER = 'water-scenario';
const WATER_PASSWORD = 'Quiet-river-stone-4';
const TOWNSHIP_STEP = '组织滑坡体下方群众撤离';
const WATER_STEP = '排查滑坡下游河道';

const PLAN = {
  title: '地质灾害 III 级应急预案',
  steps: [
    { text: TOWNSHIP_STEP, unitKind: 'township', minutes: 30 },
    { text: WATER_STEP, unitKind: 'department', unitId: WATER, minutes: 60 },
  ],
  warning: {
    event: '地质灾害',
    colour: 'orange',
    headline: '鹿城镇山体滑坡橙色预警',
    instruction: '远离滑坡体',
    radiusKm: 3,
  },
  tasks: [
    { text: '转移受威胁群众', toAffectedTownships: true, minutes: 60 },
    { text: '派出水务抢险队', toAffectedTownships: false, departmentIds: [WATER], minutes: 45 },
  ],
  meetingDepartmentIds: [WATER],
};

/** Opens the 上报 form, fills it and sends it; the chain then shows on the page. */
async function report(page: Page, title: string, description: string): Promise<void> {
  await page.getByTestId('report-open').click();
  await page.getByTestId('report-type').selectOption('landslide');
  await page.getByTestId('report-title').fill(title);
  await page.getByTestId('report-description').fill(description);
  await page.getByTestId('report-submit').click();
  await page.getByTestId('report-chain').filter({ hasText: title }).waitFor({ timeout: 15_000 });
}

const online = (page: Page) =>
  waitFor(
    'the terminal page online',
    () => attr(page, 'terminal-page', 'data-connection'),
    (c) => c === 'online',
  );

describe('a whole scenario: report, merge, plan, tick, after-action report', () => {
  const e2e = useE2e();

  it('carries a landslide from the township and the bureau through the duty desk to the after-action report', async () => {
    const [admin, dutyToken] = await Promise.all([e2e.token('admin'), e2e.token('duty')]);
    await createDepartmentAccount(e2e.url, admin, {
      username: WATER_USER,
      displayName: '水务局值班',
      departmentId: WATER,
      password: WATER_PASSWORD,
    });
    // The deployment's area (the city seat): a department's report lies at its centre unless it taps the map.
    await apiJson(e2e.url, admin, '/api/v1/admin/area', {
      method: 'PUT',
      body: JSON.stringify({ name: '楚雄市', code: '532301', lat: 25.03, lon: 101.55 }),
    });
    await apiJson(e2e.url, dutyToken, '/api/v1/plans/landslide/III', { method: 'PUT', body: JSON.stringify(PLAN) });

    const [lucheng, water, duty] = await Promise.all([
      e2e.openPage('lucheng', '#/terminal'),
      e2e.openPage(WATER_USER, '#/terminal', { password: WATER_PASSWORD }),
      e2e.openPage('duty', '#/command'),
    ]);
    await Promise.all([online(lucheng), online(water), duty.getByTestId('command-room').waitFor({ timeout: 15_000 })]);
    await duty.getByTestId('command-tab-inbox').click();

    // Below: the township reports (its seat), then the bureau the same slide (the area's centre).
    await report(lucheng, '鹿城镇西山滑坡', '西山公路边坡垮塌，2 户受威胁');
    await report(water, '西山河道旁滑坡', '巡查发现西山滑坡，河道部分堵塞');

    // The desk: the two are flagged as likely duplicates; the bureau's is merged into the township's.
    // Cards by chain id: a flagged card names the other chain's title too.
    const chains = await apiJson<{ id: string; title: string; incidentId: string | null }[]>(
      e2e.url,
      dutyToken,
      '/api/v1/reports',
    );
    const card = (title: string) =>
      duty.locator(`[data-testid="inbox-chain"][data-chain-id="${chains.find((c) => c.title === title)?.id}"]`);
    const townshipCard = card('鹿城镇西山滑坡');
    const waterCard = card('西山河道旁滑坡');
    await waterCard.getByTestId('inbox-duplicate').waitFor({ timeout: 15_000 });
    expect(await townshipCard.getByTestId('inbox-duplicate').textContent()).toContain('西山河道旁滑坡');
    await waterCard.getByTestId('inbox-merge').click();
    await townshipCard.getByTestId('inbox-merged').waitFor({ timeout: 10_000 });
    await expect.poll(() => waterCard.count(), { timeout: 10_000 }).toBe(0);
    expect(await townshipCard.getByTestId('inbox-merged').textContent()).toContain('巡查发现西山滑坡');
    await expect
      .poll(
        () =>
          water
            .getByTestId('report-merged-into')
            .textContent()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain('鹿城镇西山滑坡');
    await expect
      .poll(
        () =>
          lucheng
            .getByTestId('report-merged-from')
            .textContent()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain('西山河道旁滑坡');

    // An incident from the chain, the level-III plan started on it, its tasks sent in one click.
    await townshipCard.getByTestId('inbox-incident').click();
    await expect.poll(() => townshipCard.getAttribute('data-state'), { timeout: 10_000 }).toBe('linked');
    await townshipCard.getByTestId('inbox-show-incident').click();
    await duty.getByTestId('response-panel').waitFor({ timeout: 10_000 });
    await duty.getByTestId('response-level').selectOption('III');
    await duty.getByTestId('response-start').click();
    await duty.getByTestId('response-send-tasks').click();
    await duty.getByTestId('response-tasks-sent').waitFor({ timeout: 10_000 });

    // The tasks and the checklist items reach the township and the bureau; both tick theirs.
    await lucheng.getByTestId('task').filter({ hasText: '转移受威胁群众' }).waitFor({ timeout: 15_000 });
    await water.getByTestId('task').filter({ hasText: '派出水务抢险队' }).waitFor({ timeout: 15_000 });
    for (const [page, step] of [
      [lucheng, TOWNSHIP_STEP],
      [water, WATER_STEP],
    ] as const) {
      const item = page.getByTestId('unit-checklist').locator(`li[data-text="${step}"]`);
      await item.waitFor({ timeout: 15_000 });
      const itemId = (await item.getAttribute('data-testid'))?.replace('unit-checklist-item-', '') ?? '';
      await page.getByTestId(`unit-checklist-tick-${itemId}`).click();
      await expect.poll(() => item.getAttribute('data-done').catch(() => null), { timeout: 10_000 }).toBe('true');
    }
    await waitFor(
      'both items done on the duty desk',
      async () => [
        await attr(duty, 'checklist-item-0', 'data-done'),
        await attr(duty, 'checklist-item-1', 'data-done'),
      ],
      (done) => done.every((d) => d === 'true'),
    );

    // The after-action report: the chain with the merged report, and the checklist done on time.
    const incidentId = (await apiJson<{ incidentId: string | null }[]>(e2e.url, dutyToken, '/api/v1/reports')).find(
      (c) => c.incidentId,
    )?.incidentId;
    const res = await fetch(`${e2e.url}/api/v1/incidents/${incidentId}/report`, {
      headers: { authorization: `Bearer ${dutyToken}` },
    });
    const html = await res.text();
    expect(html).toContain('西山公路边坡垮塌');
    expect(html).toContain('楚雄市水务局（已并入 鹿城镇）');
    expect(html).toContain('巡查发现西山滑坡');
    for (const step of [TOWNSHIP_STEP, WATER_STEP]) {
      expect(html).toMatch(new RegExp(`${step}</td><td>[^<]+</td><td>[^<]+</td><td>[^<]+</td><td>按时`));
    }
  });
});
