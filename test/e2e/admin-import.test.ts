/**
 * Bulk import in real Chromium: the admin opens 导入/导出, chooses an XLSX of
 * a small county (3 townships, 6 villages, 2 departments, users, terminals,
 * phones) with one bad mobile number, sees the refused row with its sheet,
 * row, column and reason and no import button; chooses the fixed file,
 * imports it, and reads the new accounts' one-time passwords. A township
 * account of the new county then signs in, must change that password, lands
 * on its terminal page and joins a meeting.
 *
 * BEACON_SCREENSHOT_DIR=<dir> also saves the refused preview as admin-import-refused.png and the
 * one-time passwords as admin-import-passwords.png.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countySheets, countyXlsx } from '../../signaling/src/admin-import/testing/countyWorkbook.ts';
import { waitForJoined } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PREFIX = 'e2e';
const county = () => countySheets({ townships: 3, villagesPerTownship: 2, users: 3, prefix: PREFIX, county: 3 });

async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

async function choose(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page
    .getByTestId('admin-import')
    .locator('input[type=file]')
    .setInputFiles({ name, mimeType: XLSX_TYPE, buffer });
}

describe('organisation import page', () => {
  const e2e = useE2e();
  let page: Page;
  let password = '';

  beforeAll(async () => {
    page = await e2e.openPage('admin');
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin-menu-import').click();
    await page.getByTestId('admin-import').waitFor();
  });

  it('previews a file with a bad row: the row, its column and the reason, and no import', async () => {
    const sheets = county();
    // The fourth row of 村社区 (the third village): a 7-digit mobile number.
    (sheets.villages.rows[2] as (string | number)[])[5] = '1390000';
    await choose(page, '新县组织机构.xlsx', await countyXlsx(sheets));
    await page.getByTestId('admin-import-refused').waitFor();
    const refused = page.getByTestId('admin-import-errors').locator('.el-table__body tr');
    await expect.poll(() => refused.count()).toBe(1);
    const cells = await refused.first().locator('td').allTextContents();
    expect(cells.map((c) => c.trim())).toEqual(['村社区', '4', '手机号', expect.stringContaining('格式不正确')]);
    expect(await page.getByTestId('admin-import-commit').isDisabled()).toBe(true);
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await page.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'admin-import-refused.png') });
    }
  });

  it('imports the fixed file and shows each new account its one-time password', async () => {
    await choose(page, '新县组织机构.xlsx', await countyXlsx(county()));
    await page.getByTestId('admin-import-ready').waitFor();
    const counts = page.getByTestId('admin-import-counts').locator('.el-table__body tr');
    expect((await counts.nth(1).locator('td').allTextContents()).map((c) => c.trim())).toEqual([
      '村社区',
      '6',
      '0',
      '0',
    ]);
    await page.getByTestId('admin-import-commit').click();
    const secret = page.getByTestId(`admin-import-password-${PREFIX}-t1`);
    await expect.poll(() => text(secret)).toMatch(/^\S{12,}$/);
    password = await text(secret);
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await page.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'admin-import-passwords.png') });
    }
    expect(await page.getByTestId('admin-import-phones').locator('.el-table__body tr').count()).toBe(3);
    await page.getByTestId('admin-import-secrets-done').click();
    await page.getByTestId('admin-import-committed').waitFor();
    // The new townships are in the township list.
    await page.getByTestId('admin-menu-townships').click();
    await page.getByTestId('admin-search').fill(`${PREFIX}青山`);
    await page.getByTestId('admin-query').click();
    await expect.poll(() => page.locator('.el-table__body tr').count()).toBe(3);
  });

  it('a township account of the new county changes its password at first sign-in and joins a meeting', async () => {
    expect(password).not.toBe('');
    const user = await e2e.openPage(`${PREFIX}-t1`, '', { password });
    await user.getByTestId('password-change').waitFor();
    await user.getByTestId('password-current').fill(password);
    await user.getByTestId('password-new').fill('qing-shan-zhen-4k9');
    await user.getByTestId('password-confirm').fill('qing-shan-zhen-4k9');
    await user.getByTestId('password-submit').click();
    await expect.poll(() => user.getByTestId('password-change').count()).toBe(0);
    await expect.poll(() => new URL(user.url()).hash).toBe('#/terminal');
    await user.goto(`${e2e.url}/#/room/city-weekly`);
    await waitForJoined(user);
  });
});
