/**
 * Real boundaries end to end in Chromium: the admin's dry run of a file with
 * a Point in it lists the problem (feature, field, reason) and cannot be
 * imported; the three-township file can. The duty officer's map, open all
 * along, then draws the three imported boundaries in place of their approximate cells (the
 * other twelve keep theirs). A warning drawn over the east of 东瓜镇 — part of
 * its boundary, not its seat — affects 东瓜镇 alone, shows "覆盖 25%" on the
 * preview, the map and the ack board, and puts the banner on its terminal.
 *
 * BEACON_SCREENSHOT_DIR=<dir> also saves the dry run and the map as boundaries-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PATH } from '../../signaling/src/command/geo/testdata/fixture.ts';
import { testIdAttribute as attr } from '../src/browser.ts';
import { drawWarningPolygon, previewedTownships } from '../src/commandMap.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { waitFor } from '../src/waitFor.ts';

/** East of 东瓜镇's seat (25.02, 101.60): a quarter of its fixture outline, and no township's seat. */
const EAST_OF_DONGGUA: [number, number][] = [
  [24.97, 101.62],
  [24.97, 101.7],
  [25.04, 101.7],
  [25.04, 101.62],
];

const text = async (page: Page, testId: string): Promise<string> =>
  (
    (await page
      .getByTestId(testId)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null)) ?? ''
  ).trim();

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.BEACON_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, name) });
}

async function upload(page: Page, name: string, content: string): Promise<void> {
  await page
    .getByTestId('boundary-upload')
    .locator('input[type=file]')
    .setInputFiles({ name, mimeType: 'application/geo+json', buffer: Buffer.from(content) });
}

describe('township boundaries', () => {
  const e2e = useE2e();
  let admin: Page;
  let duty: Page;

  beforeAll(async () => {
    admin = await e2e.openPage('admin', '#/admin/boundaries');
    await admin.getByTestId('admin-boundaries').waitFor({ timeout: 15_000 });
    // The duty officer's command room is open before the import: the map redraws when told.
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    await waitFor(
      'the command room connected, approximate cells only',
      async () => [
        await attr(duty, 'command-connection', 'data-connected'),
        await duty.locator('path.tw-cell').count(),
      ],
      ([connected, cells]) => connected === 'true' && cells === 15,
    );
  });

  it('refuses a file with a Point in it: the dry run names the feature, the field and the reason', async () => {
    const withPoint = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as { features: { geometry: unknown }[] };
    (withPoint.features[1] as { geometry: unknown }).geometry = { type: 'Point', coordinates: [101.54, 25.04] };
    await upload(admin, 'with-point.geojson', JSON.stringify(withPoint));
    await waitFor(
      'the dry run',
      () => attr(admin, 'boundary-summary', 'data-issues'),
      (n) => n === '1',
    );
    const issue = admin.getByTestId('boundary-issues').locator('.el-table__body tr');
    expect(await issue.count()).toBe(1);
    const cells = await issue.locator('td').allTextContents();
    expect(cells.map((c) => c.trim()).slice(0, 3)).toEqual([
      '1',
      'features[1].geometry.type',
      '几何不是面（Polygon/MultiPolygon）',
    ]);
    expect(await admin.getByTestId('boundary-commit').isDisabled()).toBe(true);
    await screenshot(admin, 'boundaries-dry-run.png');
  });

  it('imports the three-township file after its dry run', async () => {
    await upload(admin, 'three-townships.geojson', readFileSync(FIXTURE_PATH, 'utf8'));
    await waitFor(
      'a clean dry run',
      async () => [
        await attr(admin, 'boundary-summary', 'data-issues'),
        await attr(admin, 'boundary-summary', 'data-matched'),
      ],
      ([issues, matched]) => issues === '0' && matched === '3',
    );
    expect(await attr(admin, 'boundary-match-2', 'data-township-id')).toBe('donggua');
    await admin.getByTestId('boundary-commit').click();
    await waitFor(
      'the import',
      () => attr(admin, 'boundary-summary', 'data-dry-run'),
      (v) => v === 'false',
    );
    await waitFor(
      'three stored boundaries',
      () => attr(admin, 'boundary-stored', 'data-count'),
      (n) => n === '3',
    );
    expect(await admin.getByTestId('boundary-stored-list').locator('.el-table__body tr').count()).toBe(3);
  });

  it('draws the boundaries; a warning over part of 东瓜镇 (not its seat) reaches it with its covered share', async () => {
    const donggua = await e2e.openPage('donggua', '#/terminal');
    await donggua.getByTestId('terminal-page').waitFor({ timeout: 15_000 });

    await waitFor(
      'the imported boundaries on the map',
      () => duty.locator('path.tw-boundary').count(),
      (n) => n === 3,
    );
    expect(await duty.locator('path.tw-boundary-donggua').count()).toBe(1);
    expect(await duty.locator('path.tw-cell').count()).toBe(12);
    expect(await duty.locator('path.tw-cell-donggua').count()).toBe(0);
    expect(await text(duty, 'map-outline-note')).toBe('未导入边界的乡镇为示意（近似）');

    await duty.getByTestId('command-tab-warnings').click();
    await drawWarningPolygon(duty, EAST_OF_DONGGUA);
    expect(await previewedTownships(duty)).toEqual(['donggua']);
    expect(await text(duty, 'warning-share-donggua')).toBe('覆盖 25%');
    expect(await text(duty, 'map-share-donggua')).toBe('覆盖 25%');
    expect(await attr(duty, 'township-marker-donggua', 'data-highlight')).toBe('true');

    await duty.getByTestId('warning-event').fill('暴雨');
    await duty.getByTestId('warning-headline').fill('暴雨橙色预警：东瓜镇东部');
    await duty.getByTestId('warning-submit').click();
    await duty.getByTestId('warning-detail').waitFor({ timeout: 10_000 });
    await duty.getByTestId('warning-issue').click();

    await donggua.getByTestId('alert-banner').waitFor({ timeout: 15_000 });
    expect(await text(donggua, 'alert-banner')).toContain('东瓜镇东部');
    await waitFor(
      'the board line with the covered share',
      () => text(duty, 'ack-share-donggua'),
      (s) => s === '覆盖 25%',
    );
    expect(await attr(duty, 'ack-share-donggua', 'data-share')).toBe('0.2546');
    await screenshot(duty, 'boundaries-map.png');
  });
});
