/**
 * The console under its Content-Security-Policy in real Chromium: a meeting
 * with two-way video, the command room's Leaflet map, the terminal page and
 * the Element Plus admin pages all work, and the browser reports no
 * violation (`securitypolicyviolation` events and "Refused to …" console
 * errors). A page that needed an inline script, eval or another origin would
 * fail here rather than in a township on the day.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { testIdAttribute, waitForJoined } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';

interface Violation {
  page: string;
  directive: string;
  blocked: string;
  source: string;
}

const ROOM = 'city-weekly';

describe('Content-Security-Policy in Chromium', () => {
  const e2e = useE2e();
  const violations: Violation[] = [];
  const pages: Page[] = [];

  /** A fresh page whose CSP violations (events and console errors) are collected from its first script on. */
  async function watchedPage(label: string): Promise<Page> {
    const page = await e2e.newPage(label);
    pages.push(page);
    await page.exposeFunction('__reportCspViolation', (v: Omit<Violation, 'page'>) =>
      violations.push({ page: label, ...v }),
    );
    await page.addInitScript(() => {
      interface ViolationEvent {
        effectiveDirective: string;
        blockedURI: string;
        sourceFile: string;
        lineNumber: number;
      }
      const page = globalThis as unknown as {
        __reportCspViolation: (v: unknown) => void;
        document: { addEventListener(type: string, listener: (event: ViolationEvent) => void): void };
      };
      const report = page.__reportCspViolation;
      page.document.addEventListener('securitypolicyviolation', (event) => {
        report({
          directive: event.effectiveDirective,
          blocked: event.blockedURI,
          source: `${event.sourceFile}:${event.lineNumber}`,
        });
      });
    });
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && /Content Security Policy/i.test(text)) {
        violations.push({ page: label, directive: 'console', blocked: text.slice(0, 300), source: '' });
      }
    });
    return page;
  }

  async function login(page: Page, user: string, hash: string): Promise<void> {
    const response = await page.goto(`${e2e.url}/${hash}`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.getByTestId('login-username').fill(user);
    await page.getByTestId('login-password').fill('beacon2026');
    await page.getByTestId('login-submit').click();
  }

  afterAll(() => {
    if (violations.length > 0) console.error('CSP violations:', JSON.stringify(violations, null, 2));
  });

  it('a meeting with two-way video: each side decodes the other', async () => {
    const chair = await watchedPage('chair');
    await login(chair, 'chair', `#/room/${ROOM}`);
    await waitForJoined(chair);
    const township = await watchedPage('lucheng');
    await login(township, 'lucheng', `#/room/${ROOM}`);
    await waitForJoined(township);
    for (const page of [chair, township]) {
      await expect
        .poll(
          () =>
            page.evaluate(() => {
              const { document } = globalThis as unknown as {
                document: { querySelectorAll(selector: string): Iterable<{ videoWidth: number; paused: boolean }> };
              };
              return [...document.querySelectorAll('video')].some((v) => v.videoWidth > 0 && !v.paused);
            }),
          { timeout: 30_000 },
        )
        .toBe(true);
    }
    expect(violations).toEqual([]);
  });

  it('the command room: the Leaflet map with township markers, a township on its terminal page', async () => {
    const terminal = await watchedPage('donggua');
    await login(terminal, 'donggua', '');
    await expect
      .poll(() => testIdAttribute(terminal, 'terminal-page', 'data-connection'), { timeout: 15_000 })
      .toBe('online');
    const duty = await watchedPage('duty');
    await login(duty, 'duty', '#/command');
    await duty.getByTestId('command-map').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => duty.locator('[data-testid^="township-marker-"]').count(), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(15);
    // Leaflet's panes and marker icons are laid out (inline styles allowed, scripts not).
    expect(await duty.locator('.leaflet-pane').count()).toBeGreaterThan(0);
    await duty.getByTestId('township-marker-donggua').click({ timeout: 5_000 });
    expect(violations).toEqual([]);
  });

  it('the admin pages (Element Plus): menus, a table, a dialog', async () => {
    const admin = await watchedPage('admin');
    await login(admin, 'admin', '');
    await admin.getByTestId('nav-admin').click();
    await admin.getByTestId('admin-page').waitFor({ timeout: 15_000 });
    await admin.getByTestId('admin-menu-users').click();
    await admin.getByTestId('admin-list-users').waitFor({ timeout: 10_000 });
    await admin.getByTestId('admin-create').click();
    await admin.locator('.el-dialog').first().waitFor({ timeout: 10_000 });
    expect(violations).toEqual([]);
  });
});
