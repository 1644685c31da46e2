/**
 * Emergency plans (应急预案), end to end in real browsers: a level-III landslide plan is started on an incident
 * at 紫溪镇 → the checklist (duty desk, the incident's township, the water bureau), the prefilled warning and the
 * task preview appear; the tasks go to two townships and the water bureau in one click; the bureau's page ticks
 * its checklist item and the duty desk sees it done; 紫溪镇 ticking the bureau's item is refused and changes
 * nothing; the plan edited in the 预案 tab becomes version 2 while the running response keeps version 1.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, createDepartmentAccount } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

const WATER = 'dp-sw';
const WATER_USER = 'water-plan';
const WATER_PASSWORD = 'Quiet-harbour-lamp-7';

const PLAN = {
  title: '地质灾害 III 级应急预案',
  steps: [
    { text: '核实灾情并报告带班领导', unitKind: 'desk', minutes: 15 },
    { text: '组织危险区群众撤离', unitKind: 'township', minutes: 30 },
    { text: '排查沿线水库和河道', unitKind: 'department', unitId: WATER, minutes: 60 },
  ],
  warning: {
    event: '地质灾害',
    colour: 'orange',
    headline: '紫溪镇山体滑坡橙色预警',
    instruction: '远离滑坡体，听从指挥撤离',
    radiusKm: 5,
  },
  tasks: [
    { text: '转移滑坡体下方群众', toAffectedTownships: true, minutes: 60 },
    { text: '派出水务抢险队', toAffectedTownships: false, departmentIds: [WATER], minutes: 45 },
  ],
  meetingDepartmentIds: [WATER, 'dp-zrzy'],
};

describe('emergency plans', () => {
  const e2e = useE2e();
  let duty: Page;
  let water: Page;
  let zixi: Page;
  let incidentId: string;

  beforeAll(async () => {
    const admin = await e2e.token('admin');
    await createDepartmentAccount(e2e.url, admin, {
      username: WATER_USER,
      displayName: '水务局值班',
      departmentId: WATER,
      password: WATER_PASSWORD,
    });

    const dutyToken = await e2e.token('duty');
    await apiJson(e2e.url, dutyToken, '/api/v1/plans/landslide/III', { method: 'PUT', body: JSON.stringify(PLAN) });
    const incident = await apiJson<{ id: string }>(e2e.url, dutyToken, '/api/v1/incidents', {
      method: 'POST',
      body: JSON.stringify({
        type: 'landslide',
        level: 'IV',
        title: '紫溪镇山体滑坡',
        townshipId: 'zixi',
        location: [25.0, 101.42],
      }),
    });
    incidentId = incident.id;

    water = await e2e.openPage(WATER_USER, '#/terminal', { password: WATER_PASSWORD });
    zixi = await e2e.openPage('zixi', '#/terminal');
    duty = await e2e.openPage('duty', '#/command');
    for (const page of [water, zixi]) {
      await page.getByTestId('terminal-page').waitFor({ timeout: 15_000 });
      await waitFor(
        'the terminal page online',
        () => attr(page, 'terminal-page', 'data-connection'),
        (c) => c === 'online',
      );
    }
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
  });

  it('refuses a plan naming an unknown department, storing nothing', async () => {
    const token = await e2e.token('duty');
    const bad = { ...PLAN, steps: [{ text: '调度', unitKind: 'department', unitId: 'dp-gone', minutes: 10 }] };
    const res = await fetch(`${e2e.url}/api/v1/plans/flood/II`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('plan_invalid');
    expect(await apiJson(e2e.url, token, '/api/v1/plans/flood/II')).toEqual([]);
  });

  it('starts level III from the plan: checklist, prefilled warning, tasks to two townships and the bureau; ticks', async () => {
    await duty.getByTestId(`incident-item-${incidentId}`).getByRole('button').click();
    await duty.getByTestId('response-panel').waitFor({ timeout: 10_000 });
    await duty.getByTestId('response-level').selectOption('III');
    await duty.getByTestId('response-start').click();

    // The checklist: who must do what, each unit resolved from the plan.
    const items = duty.getByTestId('response-checklist').locator('li');
    await waitFor(
      'the plan’s checklist on the incident',
      () => items.count(),
      (n) => n === 3,
    );
    expect(await attr(duty, 'response-panel', 'data-level')).toBe('III');
    expect(await attr(duty, 'checklist-item-0', 'data-unit')).toBe('desk:');
    expect(await attr(duty, 'checklist-item-1', 'data-unit')).toBe('township:zixi');
    expect(await attr(duty, 'checklist-item-2', 'data-unit')).toBe(`department:${WATER}`);
    expect(await duty.getByTestId('response-invitees').textContent()).toContain('水务');

    // The warning form opens prefilled from the plan's template.
    expect(await duty.getByTestId('response-warning-headline').textContent()).toContain('紫溪镇山体滑坡橙色预警');
    await duty.getByTestId('response-warning').click();
    await duty.getByTestId('warning-form').waitFor({ timeout: 10_000 });
    expect(await duty.getByTestId('warning-headline').inputValue()).toBe('紫溪镇山体滑坡橙色预警');
    expect(await duty.getByTestId('warning-event').inputValue()).toBe('地质灾害');
    expect(await duty.getByTestId('warning-incident').inputValue()).toBe(incidentId);
    await waitFor(
      'the prefilled area previewed on the map',
      () => attr(duty, 'warning-affected', 'data-count'),
      (n) => Number(n) >= 1,
    );

    // The task preview: the incident's township proposed, a second one added, one click sends all.
    await duty.getByTestId('command-tab-incidents').click();
    await duty.getByTestId('response-task-preview').waitFor({ timeout: 10_000 });
    expect(await duty.getByTestId('task-preview-0').textContent()).toContain('紫溪镇');
    expect(await duty.getByTestId('task-preview-1').textContent()).toContain('水务');
    await duty.getByTestId('response-add-township').selectOption('donghua');
    expect(await duty.getByTestId('task-preview-0').textContent()).toContain('东华镇');
    await duty.getByTestId('response-send-tasks').click();
    await duty.getByTestId('response-tasks-sent').waitFor({ timeout: 10_000 });
    await waitFor(
      'the sent tasks listed with both townships',
      () =>
        duty
          .getByTestId('response-tasks-list')
          .textContent({ timeout: 1000 })
          .catch(() => ''),
      (text) => Boolean(text?.includes('东华镇') && text.includes('紫溪镇')),
    );
    const tasks = await apiJson<{ townshipId: string | null; departmentId: string | null }[]>(
      e2e.url,
      await e2e.token('duty'),
      `/api/v1/tasks?incidentId=${incidentId}`,
    );
    expect(tasks.map((t) => t.townshipId ?? t.departmentId).sort()).toEqual([WATER, 'donghua', 'zixi'].sort());
    await water.getByTestId('task').filter({ hasText: '派出水务抢险队' }).waitFor({ timeout: 15_000 });
    await zixi.getByTestId('task').filter({ hasText: '转移滑坡体下方群众' }).waitFor({ timeout: 15_000 });

    // Each unit sees its own checklist item only.
    const waterItem = water.getByTestId('unit-checklist').locator('li[data-text="排查沿线水库和河道"]');
    await waterItem.waitFor({ timeout: 15_000 });
    const itemId = (await waterItem.getAttribute('data-testid'))?.replace('unit-checklist-item-', '') ?? '';
    await zixi.getByTestId('unit-checklist').locator('li[data-text="组织危险区群众撤离"]').waitFor({ timeout: 15_000 });
    expect(await zixi.getByTestId('unit-checklist').locator('li[data-text="排查沿线水库和河道"]').count()).toBe(0);

    // 紫溪镇 ticking the bureau's item: refused, nothing changed.
    const refused = await fetch(`${e2e.url}/api/v1/checklist/${itemId}/done`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await e2e.token('zixi')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(await waterItem.getAttribute('data-done')).toBe('false');
    expect(await attr(duty, 'checklist-item-2', 'data-done')).toBe('false');

    // The bureau ticks its own item from its page; the duty desk sees it done.
    await water.getByTestId(`unit-checklist-tick-${itemId}`).click();
    await waitFor(
      'the bureau’s item done on its page',
      () => waterItem.getAttribute('data-done', { timeout: 1000 }).catch(() => null),
      (d) => d === 'true',
    );
    await waitFor(
      'the bureau’s item done on the duty desk',
      () => attr(duty, 'checklist-item-2', 'data-done'),
      (d) => d === 'true',
    );
    expect(await duty.getByTestId('incident-timeline').textContent()).toContain('排查沿线水库和河道');

    // The plan is edited in the 预案 tab: a new version; the running response keeps the version it started with.
    await duty.getByTestId('command-tab-plans').click();
    await duty.getByTestId('plan-item-landslide-III').getByRole('button').click();
    // Element Plus puts a test id given to ElInput on its native input.
    const title = duty.locator('input[data-testid="plan-title"]');
    await waitFor(
      'the plan loaded into the editor',
      () => title.inputValue({ timeout: 1000 }).catch(() => ''),
      (v) => v === PLAN.title,
    );
    await title.fill('地质灾害 III 级应急预案（修订）');
    await duty.getByTestId('plan-save').click();
    await waitFor(
      'version 2 saved',
      () =>
        duty
          .getByTestId('plan-version')
          .textContent({ timeout: 1000 })
          .catch(() => ''),
      (text) => text?.includes('第 2 版') === true,
    );
    await duty.getByTestId('command-tab-incidents').click();
    expect(await duty.getByTestId('response-plan').textContent({ timeout: 10_000 })).toContain(
      '地质灾害 III 级应急预案（第 1 版）',
    );
  });
});
