/**
 * Emergency resources end to end in real Chromium: an admin imports three rescue teams from an XLSX workbook
 * (dry run, then import); on a landslide at 紫溪镇 the duty officer sees 紫溪镇应急分队 — the nearest, though the
 * file lists it last — first among the nearest teams, dispatches it (出动), and its status turns deployed on
 * the incident and on the map; the teams' map layer switches off and on; when 紫溪镇 reports the task done the
 * team shows returned; the evaluation tab charts the period's response times with this incident in it.
 *
 * BEACON_SCREENSHOT_DIR=<dir> also saves the admin's team list as resources-admin-teams.png and the
 * command room after the dispatch as resources-nearest.png and the evaluation tab as
 * resources-evaluation.png.
 */
import { join } from 'node:path';
import type { IncidentView, ResourcesView } from '@beacon/protocol';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoTeams, resourceXlsx } from '../../signaling/src/resources/testing/resourceWorkbook.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson } from '../src/signaling.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('resources on the map', () => {
  const e2e = useE2e();
  let duty: Page;

  beforeAll(async () => {
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
  });

  it('imports teams, lists the nearest first, dispatches it, toggles the layer, sees it return and charted', async () => {
    const admin = await e2e.openPage('admin', '#/admin/resourceImport');
    const upload = admin.getByTestId('admin-resource-import').locator('input[type=file]');
    await upload.setInputFiles({
      name: '救援队伍.xlsx',
      mimeType: XLSX_TYPE,
      buffer: await resourceXlsx({ 救援队伍: demoTeams() }),
    });
    await admin.getByTestId('admin-resource-import-ready').waitFor();
    const teamsCounts = admin.getByTestId('admin-resource-import-counts').locator('.el-table__body tr').first();
    expect((await teamsCounts.locator('td').allTextContents()).map((c) => c.trim())).toEqual([
      '救援队伍',
      '3',
      '0',
      '0',
    ]);
    await admin.getByTestId('admin-resource-import-commit').click();
    await admin.getByTestId('admin-resource-import-committed').waitFor();
    await admin.getByTestId('admin-menu-teams').click();
    await expect.poll(() => admin.locator('.el-table__body tr').count()).toBe(3);
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await admin.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'resources-admin-teams.png') });
    }

    const token = await e2e.token('duty');
    const { teams } = await apiJson<ResourcesView>(e2e.url, token, '/api/v1/resources');
    const zixiTeam = teams.find((t) => t.name === '紫溪镇应急分队');
    expect(zixiTeam?.status).toBe('available');
    const incident = await apiJson<IncidentView>(e2e.url, token, '/api/v1/incidents', {
      method: 'POST',
      body: JSON.stringify({ type: 'landslide', level: 'III', title: '紫溪镇山体滑坡', location: [25.0, 101.42] }),
    });

    // The map was open before the import: opening the command room again reads the resources.
    await duty.reload();
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    const marker = duty.getByTestId(`map-teams-${zixiTeam?.id}`);
    await marker.waitFor({ timeout: 15_000 });
    await duty.getByTestId(`incident-item-${incident.id}`).click();
    const nearest = duty.getByTestId('nearest-teams').locator('li');
    await expect.poll(() => nearest.first().getAttribute('data-team-id')).toBe(zixiTeam?.id);
    expect(await nearest.count()).toBe(3);

    await nearest.first().getByTestId('team-dispatch').click();
    await expect.poll(() => nearest.first().getAttribute('data-status')).toBe('deployed');
    expect(await nearest.first().getByTestId('team-status').textContent()).toContain('出动中');
    await expect.poll(() => marker.getAttribute('data-state')).toBe('deployed');
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await duty.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'resources-nearest.png') });
    }
    // The task went to 紫溪镇, the team's own unit, on this incident.
    const tasks = await apiJson<{ id: string; townshipId: string | null }[]>(
      e2e.url,
      token,
      `/api/v1/tasks?incidentId=${incident.id}`,
    );
    expect(tasks.map((t) => t.townshipId)).toEqual(['zixi']);

    await duty.getByTestId('resource-layer-teams').uncheck();
    await expect.poll(() => marker.count()).toBe(0);
    await duty.getByTestId('resource-layer-teams').check();
    await expect.poll(() => marker.count()).toBe(1);

    // 紫溪镇 reports the task done: the team is back, on the incident and on the map, without a reload.
    const zixi = await e2e.client('zixi');
    await zixi.ok('task:done', { taskId: tasks[0]?.id, note: '已处置' });
    await expect.poll(() => nearest.first().getAttribute('data-status')).toBe('returned');
    await expect.poll(() => marker.getAttribute('data-state')).toBe('returned');

    // 评估: the period's response-time chart (ECharts, its own chunk) counts this incident.
    await duty.getByTestId('command-tab-evaluation').click();
    await expect.poll(() => duty.getByTestId('evaluation-count').getAttribute('data-count')).toBe('1');
    await duty.getByTestId('evaluation-chart').locator('canvas').waitFor();
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await duty.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'resources-evaluation.png') });
    }
  });
});
