/**
 * Duty (值班值守) end to end in real browsers: an admin fills the roster for
 * the shift on duty now and the next one on the roster page; the duty
 * officer's command room shows them live, with phones; the officer writes
 * the duty log and hands over with a note; the incoming officer sees the
 * assembled handover (the open incident, the log, the note) and accepts it;
 * the record prints without the console around it; both steps are audited.
 */
import type { DutyNowView, HandoverView, IncidentView } from '@beacon/protocol';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testIdAttribute as attr } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

const NIGHT_OFFICER = { username: 'duty2', displayName: '夜班值班员', phone: '13900000002' };
const NIGHT_PASSWORD = 'Night-Shift-Beacon-7319';
const INCIDENT_TITLE = '东瓜镇山体滑坡（交接班测试）';
const LOG_TEXT = '东瓜镇报告山体滑坡，已派员核实';
const NOTE = '滑坡现场夜间留人值守，明早复核';

const text = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .first()
    .textContent({ timeout: 1000 })
    .catch(() => null);

/**
 * Picks `label` in the Element Plus select inside the field `fieldTestId`. Its list is teleported to <body>
 * (and another select's list may still be fading out), so it is found by the id the input's aria-controls names.
 */
async function pick(page: Page, fieldTestId: string, label: string): Promise<void> {
  const field = page.getByTestId(fieldTestId);
  await field.locator('.el-select__wrapper').click();
  const listId = await field.locator('input').first().getAttribute('aria-controls');
  await page.locator(`[id="${listId}"] .el-select-dropdown__item`, { hasText: label }).first().click();
  // A multiple select stays open over the dialog's buttons: click away, as a person would.
  await page.locator('.el-dialog__title').click();
  await page.locator(`[id="${listId}"]`).waitFor({ state: 'hidden' });
}

/** `HH:MM` on Beijing's clock `hours` from now. */
function beijingClock(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000 + 8 * 3_600_000).toISOString().slice(11, 16);
}

describe('duty roster, duty log and shift handover', () => {
  // Shifts placed around the moment the test runs, so no shift change falls inside it whatever the hour
  // (the default 08:30/17:30 boundaries would, for a run started seconds before one).
  const e2e = useE2e({
    beacon: {
      env: {
        BEACON_DUTY_SHIFTS: `day=白班@${beijingClock(-2)}-${beijingClock(4)},night=夜班@${beijingClock(4)}-${beijingClock(-2)}`,
      },
    },
  });
  let admin: string;
  let now: DutyNowView;
  let duty: Page;
  let night: Page;

  beforeAll(async () => {
    admin = await e2e.token('admin');
    const call = <T>(token: string, path: string, method = 'GET', body?: unknown) =>
      apiJson<T>(e2e.url, token, `/api/v1${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // Phones for the demo people, and a second duty officer for the next shift (who changes the admin's password first).
    await call(admin, '/admin/users/u-duty', 'PATCH', { phone: '13800000001' });
    await call(admin, '/admin/users/u-chair', 'PATCH', { phone: '13700000003' });
    await call(admin, '/admin/users', 'POST', {
      ...NIGHT_OFFICER,
      password: 'Temporary-Admin-Set-1',
      role: 'duty_officer',
    });
    const first = await loginApi(e2e.url, NIGHT_OFFICER.username, 'Temporary-Admin-Set-1');
    await call(first.token, '/auth/password', 'POST', {
      currentPassword: 'Temporary-Admin-Set-1',
      newPassword: NIGHT_PASSWORD,
    });
    const dutyToken = await e2e.token('duty');
    await call<IncidentView>(dutyToken, '/incidents', 'POST', {
      type: 'landslide',
      level: 'III',
      title: INCIDENT_TITLE,
      location: [25.02, 101.6],
    });
    now = await call<DutyNowView>(admin, '/duty/now');

    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    night = await e2e.openPage(NIGHT_OFFICER.username, '#/command', { password: NIGHT_PASSWORD });
    await night.getByTestId('command-room').waitFor({ timeout: 15_000 });
  });

  it('an admin fills the roster on the roster page; the command room shows who is on duty now and next, live', async () => {
    const slot = now.now;
    if (!slot) throw new Error('the default shifts cover the whole day');
    await duty.getByTestId('duty-now-nobody').waitFor({ timeout: 15_000 });

    const page = await e2e.openPage('admin', `#/duty?month=${slot.day.slice(0, 7)}`);
    await page.getByTestId(`roster-edit-${slot.day}-${slot.shift}`).click({ timeout: 15_000 });
    await pick(page, 'roster-leader', '市领导');
    await pick(page, 'roster-officers', '值班员 13800000001');
    await page.getByTestId('roster-save').click();
    await waitFor(
      'the slot saved on the roster page',
      () => text(page, `roster-cell-${slot.day}-${slot.shift}`),
      (t) => t?.includes('值班员 13800000001') === true,
    );

    await page.goto(`${e2e.url}/#/duty?month=${now.next.day.slice(0, 7)}`);
    await page.getByTestId(`roster-edit-${now.next.day}-${now.next.shift}`).click({ timeout: 15_000 });
    await pick(page, 'roster-officers', NIGHT_OFFICER.displayName);
    await page.getByTestId('roster-save').click();
    await waitFor(
      'the next slot saved',
      () => text(page, `roster-cell-${now.next.day}-${now.next.shift}`),
      (t) => t?.includes(NIGHT_OFFICER.displayName) === true,
    );

    // The duty officer's command room was open all along: the header follows the roster live.
    const officers = await waitFor(
      'the officer on duty now in the command room',
      () => text(duty, 'duty-now-officers'),
      (t) => t?.includes('值班员 13800000001') === true,
    );
    expect(officers).toContain('值班员');
    expect(await text(duty, 'duty-now-leader')).toContain('市领导 13700000003');
    await waitFor(
      'the next shift in the command room',
      () => text(duty, 'duty-next-officers'),
      (t) => t?.includes(`${NIGHT_OFFICER.displayName} ${NIGHT_OFFICER.phone}`) === true,
    );
    expect(await text(duty, 'duty-now-shift')).toContain(slot.shiftName);
  });

  it('the officer writes the duty log; the other console sees it at once', async () => {
    await duty.getByTestId('command-tab-duty').click();
    await night.getByTestId('command-tab-duty').click();
    await duty.getByTestId('duty-log-category').selectOption('incident');
    await duty.getByTestId('duty-log-text').fill(LOG_TEXT);
    await duty.getByTestId('duty-log-submit').click();
    for (const page of [duty, night]) {
      await waitFor(
        'the log entry listed',
        () => text(page, 'duty-log'),
        (t) => t?.includes(LOG_TEXT) === true,
      );
    }
  });

  it('hands over with a note; the incoming officer sees the assembled handover and accepts it', async () => {
    await duty.getByTestId('handover-start').click();
    await duty.getByTestId('handover-notes').fill(NOTE);
    await duty.getByTestId('handover-hand-over').click();

    await waitFor(
      'the handover handed over on the incoming console',
      () => attr(night, 'handover-status', 'data-status'),
      (s) => s === 'handed_over',
    );
    expect(await text(night, 'handover-incidents')).toContain(INCIDENT_TITLE);
    expect(await text(night, 'handover-log')).toContain(LOG_TEXT);
    expect(await text(night, 'handover-notes-shown')).toContain(NOTE);
    // The officer who handed over cannot accept it; the incoming one can.
    expect(await duty.getByTestId('handover-accept').count()).toBe(0);
    await night.getByTestId('handover-accept-note').fill('已接班');
    await night.getByTestId('handover-accept').click();

    await waitFor(
      'the accepted handover on the outgoing console',
      () => text(duty, 'handover-last-accepted'),
      (t) => t?.includes(NIGHT_OFFICER.displayName) === true,
    );

    const [handover] = await apiJson<HandoverView[]>(e2e.url, admin, '/api/v1/duty/handovers?limit=1');
    expect(handover).toMatchObject({ status: 'accepted', notes: NOTE, handedOverBy: 'u-duty', acceptNote: '已接班' });
    const audit = await apiJson<
      { action: string; detail: { before?: { status: string }; after?: { status: string } } }[]
    >(e2e.url, admin, '/api/v1/audit?limit=50');
    const moves = audit
      .filter((entry) => entry.action.startsWith('duty.handover.'))
      .map((entry) => [entry.action, entry.detail.before?.status ?? null, entry.detail.after?.status]);
    expect(moves).toEqual([
      ['duty.handover.accept', 'handed_over', 'accepted'],
      ['duty.handover.hand_over', 'draft', 'handed_over'],
      ['duty.handover.start', null, 'draft'],
    ]);

    // The printable record: on paper the console's top bar and buttons are gone.
    const print = await e2e.openPage('duty', `#/duty/handover/${handover?.id}`);
    await print.getByTestId('handover-print').waitFor({ timeout: 15_000 });
    await waitFor(
      'the record loaded',
      () => text(print, 'handover-print-incoming'),
      (t) => t?.includes(NIGHT_OFFICER.displayName) === true,
    );
    expect(await text(print, 'handover-incidents')).toContain(INCIDENT_TITLE);
    expect(await text(print, 'handover-print-shift')).toContain(now.now?.shiftName ?? '?');
    await print.emulateMedia({ media: 'print' });
    expect(await print.locator('.topbar').isVisible()).toBe(false);
    expect(await print.getByTestId('handover-print-button').isVisible()).toBe(false);
    expect(await print.getByTestId('handover-notes-shown').isVisible()).toBe(true);
  });
});
