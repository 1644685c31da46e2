import { describe, expect, it } from 'vitest';
import { foreignMessage } from '../../signaling/src/command/cap/capFixtures.ts';
import { testIdAttribute as attr } from '../src/browser.ts';
import { drawWarningPolygon } from '../src/commandMap.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { waitFor } from '../src/waitFor.ts';

/** A box around 鹿城镇 (25.04, 101.54). */
const BOX: [number, number][] = [
  [25.0, 101.5],
  [25.0, 101.58],
  [25.07, 101.58],
  [25.07, 101.5],
];

describe('CAP from outside in the console', () => {
  const e2e = useE2e();

  it('imports A.1, shows its source, asks for the end time and area, then issues it', async () => {
    const duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    await duty.getByTestId('command-tab-warnings').click();
    await duty.getByTestId('warning-import').setInputFiles({
      name: 'a1.xml',
      mimeType: 'application/cap+xml',
      buffer: Buffer.from(foreignMessage('oasis-a1-homeland-security')),
    });
    await duty.getByTestId('warning-detail').waitFor({ timeout: 10_000 });
    expect(await attr(duty, 'warning-source', 'data-kind')).toBe('file');
    expect(await duty.getByTestId('warning-source').textContent()).toContain(
      'U.S. Government, Department of Homeland Security',
    );
    await duty.getByTestId('warning-missing').waitFor({ timeout: 5000 });
    expect(await duty.getByTestId('warning-issue').isDisabled()).toBe(true);

    const inTwoHours = new Date(Date.now() + 2 * 3_600_000 - new Date().getTimezoneOffset() * 60_000);
    await duty.getByTestId('warning-missing-expires').fill(inTwoHours.toISOString().slice(0, 16));
    await duty.getByTestId('warning-missing-expires-save').click();
    await waitFor(
      'the end time saved',
      () => duty.getByTestId('warning-missing-expires').count(),
      (n) => n === 0,
    );

    await drawWarningPolygon(duty, BOX);
    await waitFor(
      'the drawn area',
      () => duty.getByTestId('warning-missing-area-save').isEnabled(),
      (on) => on,
    );
    await duty.getByTestId('warning-missing-area-save').click();
    await waitFor(
      'nothing missing',
      () => duty.getByTestId('warning-missing').count(),
      (n) => n === 0,
    );

    await duty.getByTestId('warning-issue').click();
    await waitFor(
      'issued',
      () => attr(duty, 'warning-detail', 'data-status'),
      (s) => s === 'issued',
    );
  });

  it('lists the subscribed CAP feeds in the admin pages', async () => {
    const admin = await e2e.token('admin');
    const res = await fetch(`${e2e.url}/api/v1/admin/capFeeds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '云南省预警信息发布中心', url: 'http://127.0.0.1:9/feed.atom', pollSeconds: 3600 }),
    });
    expect(res.status).toBe(201);
    const page = await e2e.openPage('admin', '#/admin/capFeeds');
    await page.getByTestId('admin-list-capFeeds').waitFor({ timeout: 15_000 });
    await waitFor(
      'the feed row',
      () => page.getByTestId('admin-table').textContent(),
      (text) => text?.includes('云南省预警信息发布中心') ?? false,
    );
  });
});
