/**
 * The organisation admin pages in real Chromium: the admin opens #/admin
 * from the top bar, creates a department and a department account in it,
 * is told next to the username field that a username is taken, finds the
 * account by searching and disables it. The new account must change the
 * password its admin chose (a common one is refused) before it can go on. The user form's department picker
 * offers the new department and not a disabled one; a new desk phone of the
 * department shows its one-time SIP password.
 *
 * BEACON_SCREENSHOT_DIR=<dir> also saves the users page as admin-users.png.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useE2e } from '../src/e2eFixture.ts';

/** Unique per run: the demo store may be reused by another test in the same data dir. */
const RUN = Date.now().toString(36).slice(-5);
const DEPARTMENT = `防汛办${RUN}`;
const DISABLED_DEPARTMENT = `撤销科${RUN}`;
const USERNAME = `li.water.${RUN}`;

const field = (page: Page, key: string) => page.getByTestId(`admin-field-${key}`);
const dialog = (page: Page) => page.locator('.el-dialog:visible');
const row = (page: Page, text: string) => page.locator('.el-table__body tr', { hasText: text });

/** Text as shown (trimmed). */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

async function fill(page: Page, key: string, value: string): Promise<void> {
  await field(page, key).locator('input').fill(value);
}

async function save(page: Page): Promise<void> {
  await dialog(page).getByTestId('admin-save').click();
}

async function confirm(page: Page): Promise<void> {
  await page.locator('.el-message-box .el-button--primary').click();
}

describe('organisation admin pages', () => {
  const e2e = useE2e();
  let page: Page;

  beforeAll(async () => {
    page = await e2e.openPage('admin');
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin-page').waitFor();
  });

  it('creates two departments and disables one of them after a confirmation', async () => {
    await page.getByTestId('admin-menu-departments').click();
    for (const name of [DEPARTMENT, DISABLED_DEPARTMENT]) {
      await page.getByTestId('admin-create').click();
      await fill(page, 'name', name);
      await fill(page, 'dutyPhone', '0878-3123456');
      await save(page);
      await expect.poll(() => row(page, name).count()).toBe(1);
    }
    await row(page, DISABLED_DEPARTMENT).getByTestId('admin-toggle').click();
    await confirm(page);
    await expect.poll(() => text(row(page, DISABLED_DEPARTMENT).getByTestId('admin-status'))).toBe('已停用');
    expect(await text(row(page, DEPARTMENT).getByTestId('admin-status'))).toBe('启用');
  });

  it('creates a department account in it; the picker offers enabled departments only', async () => {
    await page.getByTestId('admin-menu-users').click();
    await page.getByTestId('admin-list-users').waitFor();
    await page.getByTestId('admin-create').click();
    await fill(page, 'username', USERNAME);
    await fill(page, 'password', 'initial-pass-2026');
    await fill(page, 'displayName', '李水务');
    // The role defaults to a department account, which needs a department.
    await field(page, 'departmentId').locator('.el-select__wrapper').click();
    await page.getByRole('option', { name: DEPARTMENT, exact: true }).waitFor();
    expect(await page.getByRole('option', { name: DISABLED_DEPARTMENT }).count()).toBe(0);
    await page.getByRole('option', { name: DEPARTMENT, exact: true }).click();
    await save(page);
    await expect.poll(() => dialog(page).count()).toBe(0);

    if (process.env.BEACON_SCREENSHOT_DIR) {
      await expect.poll(() => page.locator('.el-loading-mask:visible').count()).toBe(0);
      await page.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'admin-users.png') });
    }
  });

  it('a taken username is refused next to the username field', async () => {
    await page.getByTestId('admin-create').click();
    await fill(page, 'username', USERNAME);
    await fill(page, 'password', 'another-pass-2026');
    await fill(page, 'displayName', '李重名');
    await field(page, 'departmentId').locator('.el-select__wrapper').click();
    await page.getByRole('option', { name: DEPARTMENT, exact: true }).click();
    await save(page);
    await expect.poll(() => text(field(page, 'username').locator('.el-form-item__error'))).toContain('已被占用');
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await page.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'admin-user-conflict.png') });
    }
    await dialog(page).getByRole('button', { name: '取消' }).click();
  });

  it('the new account changes the password its admin chose before it can use the console', async () => {
    const user = await e2e.openPage(USERNAME, '', { password: 'initial-pass-2026' });
    await user.getByTestId('password-change').waitFor();
    await user.getByTestId('password-current').fill('initial-pass-2026');
    // A password everyone knows is refused with the policy's reason, in Chinese.
    await user.getByTestId('password-new').fill('beacon2026');
    await user.getByTestId('password-confirm').fill('beacon2026');
    await user.getByTestId('password-submit').click();
    await expect.poll(() => text(user.getByTestId('password-error'))).toBe('这是常见密码，请换一个');
    await user.getByTestId('password-new').fill('shui-wu-fang-xun-7c2');
    await user.getByTestId('password-confirm').fill('shui-wu-fang-xun-7c2');
    await user.getByTestId('password-submit').click();
    // Changed: the form is gone and the department account reaches its landing page, its unit's terminal page.
    await expect.poll(() => user.getByTestId('password-change').count()).toBe(0);
    await expect.poll(() => new URL(user.url()).hash).toBe('#/terminal');
  });

  it('finds the account by searching and disables it', async () => {
    await page.getByTestId('admin-search').fill(USERNAME);
    await page.getByTestId('admin-query').click();
    await expect.poll(() => page.locator('.el-table__body tr').count()).toBe(1);
    const found = row(page, USERNAME);
    expect(await text(found)).toContain(DEPARTMENT);
    await found.getByTestId('admin-toggle').click();
    await confirm(page);
    await expect.poll(() => text(found.getByTestId('admin-status'))).toBe('已停用');
  });

  it('a new desk phone of the department shows its SIP password once', async () => {
    await page.getByTestId('admin-menu-terminals').click();
    await page.getByTestId('admin-list-terminals').waitFor();
    await page.getByTestId('admin-create').click();
    await fill(page, 'name', `${DEPARTMENT}值班电话`);
    await field(page, 'owner').locator('.el-select__wrapper').click();
    await page.getByRole('option', { name: '部门', exact: true }).click();
    await field(page, 'departmentId').locator('.el-select__wrapper').click();
    await page.getByRole('option', { name: DEPARTMENT, exact: true }).click();
    await fill(page, 'extension', `9${RUN.replace(/\D/g, '').padEnd(4, '7').slice(0, 4)}`);
    await save(page);
    const password = page.getByTestId('admin-sip-password');
    await expect.poll(() => text(password)).toMatch(/^\S{8,}$/);
    expect(await text(page.locator('.el-dialog:visible .el-alert'))).toContain('只显示这一次');
    if (process.env.BEACON_SCREENSHOT_DIR) {
      await page.screenshot({ path: join(process.env.BEACON_SCREENSHOT_DIR, 'admin-sip-password.png') });
    }
    const first = await text(password);
    await page.locator('.el-dialog:visible').getByRole('button', { name: '我已记录' }).click();
    await expect.poll(() => password.count()).toBe(0);
    await page.getByTestId('admin-search').fill(DEPARTMENT);
    await page.getByTestId('admin-query').click();
    const phoneRow = row(page, `${DEPARTMENT}值班电话`);
    await expect.poll(() => text(phoneRow)).toContain('SIP 话机');

    // A phone whose password leaked gets a new one, shown once like the first.
    await phoneRow.getByTestId('admin-rotate-sip').click();
    await confirm(page);
    await expect.poll(() => text(password)).toMatch(/^\S{8,}$/);
    expect(await text(password)).not.toBe(first);
    await page.locator('.el-dialog:visible').getByRole('button', { name: '我已记录' }).click();
    await expect.poll(() => password.count()).toBe(0);
  });
});
