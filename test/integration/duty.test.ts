/**
 * Duty (值班值守) over REST against a real node: who may read and edit, bad
 * input refused with codes before anything changes, a month's XLSX posted as
 * the request body (accepted, or refused with every bad row and nothing
 * written), and the staff sockets told of each change.
 */
import type { DutyLogEntry, DutyNowView, RosterImportRefusal, RosterMonthView } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, connect, login, nextEvent, useTestNode } from './helpers.ts';

const t = useTestNode();
const tokens: Record<string, string> = {};

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  const body = (await res.json().catch(() => null)) as unknown;
  return { status: res.status, body };
}
const put = (user: string, pathname: string, body: unknown) =>
  call(user, pathname, { method: 'PUT', body: JSON.stringify(body) });
const post = (user: string, pathname: string, body: unknown = {}) =>
  call(user, pathname, { method: 'POST', body: JSON.stringify(body) });
const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;

async function xlsx(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('排班');
  sheet.addRow(['日期', '班次', '带班领导', '值班员']);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}
const upload = (user: string, query: string, file: Buffer) =>
  fetch(`${t.url}/api/v1/duty/roster/import?${query}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens[user]}`,
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    },
    body: new Uint8Array(file),
  });

describe('duty over REST', () => {
  beforeAll(async () => {
    for (const user of ['admin', 'duty', 'chair', 'lucheng']) tokens[user] = await login(t.url, user);
  });

  it('lets the city side read, admins and duty officers edit the roster, and nobody else', async () => {
    const now = await call('chair', '/duty/now');
    expect(now.status).toBe(200);
    expect((now.body as DutyNowView).timeZone).toBe('Asia/Shanghai');
    expect((await call('lucheng', '/duty/now')).status).toBe(403);
    expect((await call('lucheng', '/duty/log')).status).toBe(403);

    const slot = { leaderId: 'u-chair', officerIds: ['u-duty'] };
    expect(codeOf((await put('chair', '/duty/roster/2026-12-07/day', slot)).body)).toBe('forbidden');
    expect(codeOf((await put('lucheng', '/duty/roster/2026-12-07/day', slot)).body)).toBe('forbidden');
    expect((await put('duty', '/duty/roster/2026-12-07/day', slot)).status).toBe(200);
    const month = (await call('chair', '/duty/roster?month=2026-12')).body as RosterMonthView;
    expect(month.entries.map((e) => [e.day, e.shift, e.officers.map((o) => o.userId)])).toEqual([
      ['2026-12-07', 'day', ['u-duty']],
    ]);
  });

  it('refuses bad input with codes and changes nothing', async () => {
    const bad = [
      await put('admin', '/duty/roster/2026-12-7/day', { leaderId: null, officerIds: [] }),
      await put('admin', '/duty/roster/2026-12-08/Day', { leaderId: null, officerIds: [] }),
      await put('admin', '/duty/roster/2026-12-08/day', { leaderId: 'u-chair' }),
      await put('admin', '/duty/roster/2026-12-08/day', { leaderId: null, officerIds: ['u-lucheng'] }),
      await call('admin', '/duty/roster?month=2026-13'),
      await post('duty', '/duty/log', { text: '   ' }),
      await post('duty', '/duty/log', { text: 'x', category: 'gossip' }),
      await post('duty', '/duty/handovers/ho-nope/accept', {}),
    ];
    expect(bad.map((r) => [r.status, codeOf(r.body)])).toEqual([
      [400, 'bad_request'],
      [400, 'bad_request'],
      [400, 'bad_request'],
      [400, 'bad_request'],
      [400, 'bad_request'],
      [400, 'bad_request'],
      [400, 'bad_request'],
      [404, 'not_found'],
    ]);
    expect(((await call('admin', '/duty/roster?month=2026-12')).body as RosterMonthView).entries).toHaveLength(1);
    expect((await call('admin', '/duty/log')).body).toEqual([]);
  });

  it('imports a month from an XLSX body, or refuses every bad row and writes nothing', async () => {
    const staff = await connect(t.url, tokens.duty);
    try {
      const told = nextEvent(staff, 'duty:roster');
      const good = await upload('admin', 'month=2027-01', await xlsx([['2027-01-01', '白班', 'chair', 'duty']]));
      expect(good.status).toBe(200);
      expect(await good.json()).toEqual({ month: '2027-01', dryRun: false, slots: 1, replaced: 0 });
      expect(await told).toEqual({ month: '2027-01' });

      const refused = await upload(
        'admin',
        'month=2027-01',
        await xlsx([
          ['2027-01-02', '白班', 'chair', 'duty'],
          ['2027-01-03', '夜班', 'chair', 'nobody'],
        ]),
      );
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as RosterImportRefusal;
      expect(body.error.code).toBe('bad_request');
      expect(body.rowErrors.map((e) => [e.row, e.column, e.code])).toEqual([[3, '值班员', 'unknown_person']]);
      const month = (await call('admin', '/duty/roster?month=2027-01')).body as RosterMonthView;
      expect(month.entries.map((e) => e.day)).toEqual(['2027-01-01']);

      expect((await upload('chair', 'month=2027-01', await xlsx([]))).status).toBe(403);
      expect((await upload('admin', 'month=2027-01', Buffer.from('not a spreadsheet'))).status).toBe(400);
    } finally {
      staff.close();
    }
  });

  it('tells staff sockets of log entries and handovers', async () => {
    const staff = await connect(t.url, tokens.chair);
    try {
      const logged = nextEvent(staff, 'duty:log');
      expect((await post('duty', '/duty/log', { category: 'call', text: '气象局来电' })).status).toBe(201);
      expect(((await logged) as DutyLogEntry).text).toBe('气象局来电');

      const started = nextEvent(staff, 'duty:handover');
      const draft = await post('duty', '/duty/handovers');
      expect(draft.status).toBe(201);
      expect((await started).status).toBe('draft');
      expect(codeOf((await post('chair', '/duty/handovers')).body)).toBe('invalid_state');
      const id = (draft.body as { id: string }).id;
      expect(codeOf((await post('chair', `/duty/handovers/${id}/accept`)).body)).toBe('invalid_transition');
      expect((await post('duty', `/duty/handovers/${id}/hand-over`, { notes: '平稳' })).status).toBe(200);
      expect(codeOf((await post('duty', `/duty/handovers/${id}/accept`)).body)).toBe('forbidden');
      expect((await post('chair', `/duty/handovers/${id}/accept`, { note: '收到' })).status).toBe(200);
      const open = (await call('chair', '/duty/handovers/open')).body as { handover: unknown };
      expect(open.handover).toBeNull();
    } finally {
      staff.close();
    }
  });
});
