/**
 * The command room (指挥大屏, the duty officers' map) against a real node, a real SQLite file and real
 * socket.io clients: incidents and their workflow, warnings issued to the
 * townships of an area with acks, escalation and CAP, tasks, presence and
 * video pull, emergency meetings, and the append-only audit log.
 */
import path from 'node:path';
import type {
  AckBoardRow,
  AlertForTerminal,
  IncidentView,
  TaskView,
  TimelineEntry,
  WarningView,
} from '@beacon/protocol';
import SqliteDatabase from 'better-sqlite3';
import { io } from 'socket.io-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, login, nextEvent, ok, request, type TestClient, useTestNode } from './helpers.ts';

// Escalation looks every 200 ms; warnings below re-notify after 0.05 min (3 s).
const t = useTestNode({ env: { BEACON_ESCALATION_TICK_MS: '200' } });

const tokens: Record<string, string> = {};
const token = (user: string): string => {
  const found = tokens[user];
  if (!found) throw new Error(`no token for ${user}`);
  return found;
};

async function call<T>(user: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await api(t.url, token(user), pathname, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
  };
}

/** A connected socket whose alert:new listener is on before the handshake (banners come right after it). */
async function terminal(user: string): Promise<{ socket: TestClient; alerts: AlertForTerminal[] }> {
  const alerts: AlertForTerminal[] = [];
  const socket: TestClient = io(t.url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token: token(user) },
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  socket.on('alert:new', (alert) => alerts.push(alert));
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  opened.push(socket);
  return { socket, alerts };
}
const opened: TestClient[] = [];

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const HOUR = 3_600_000;
/** Covers 鹿城镇 (25.04, 101.54) and 东瓜镇 (25.02, 101.60) and nothing else. */
const TWO_TOWNSHIPS = { type: 'circle', center: [25.03, 101.57], radiusKm: 5 } as const;
/** A tiny but real JPEG header plus bytes: the server checks the SOI marker. */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 2, 3, 0xff, 0xd9]);

beforeAll(async () => {
  for (const user of ['admin', 'duty', 'lucheng', 'donggua', 'zixi']) tokens[user] = await login(t.url, user);
  return () => {
    for (const socket of opened) socket.close();
  };
});

let incident: IncidentView;

describe('incidents', () => {
  it('reports an incident in the nearest township and follows the workflow; an illegal move changes nothing', async () => {
    const created = await call<IncidentView>('duty', '/api/v1/incidents', {
      type: 'landslide',
      level: 'III',
      title: '鹿城镇山体滑坡',
      location: [25.041, 101.541],
    });
    expect(created.status).toBe(201);
    incident = created.body;
    expect(incident).toMatchObject({ status: 'reported', townshipId: 'lucheng', createdBy: 'u-duty' });

    const illegal = await call<{ error: { code: string } }>('duty', `/api/v1/incidents/${incident.id}/status`, {
      status: 'resolved',
    });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error.code).toBe('invalid_transition');
    expect((await call<IncidentView>('duty', `/api/v1/incidents/${incident.id}`)).body.status).toBe('reported');

    const verified = await call<IncidentView>('duty', `/api/v1/incidents/${incident.id}/status`, {
      status: 'verified',
      note: '现场确认',
    });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('verified');
    // A township cannot move incidents.
    expect((await call('lucheng', `/api/v1/incidents/${incident.id}/status`, { status: 'responding' })).status).toBe(
      403,
    );
  });

  it('stores a note with a snapshot and serves the JPEG back byte for byte', async () => {
    const note = await call<TimelineEntry>('duty', `/api/v1/incidents/${incident.id}/notes`, {
      text: '调阅画面截图',
      snapshot: `data:image/jpeg;base64,${JPEG.toString('base64')}`,
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ kind: 'snapshot', hasSnapshot: true });
    const res = await api(t.url, token('duty'), `/api/v1/incidents/${incident.id}/snapshots/${note.body.id}`);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(JPEG)).toBe(true);

    const notJpeg = `data:image/jpeg;base64,${Buffer.from('<svg/>').toString('base64')}`;
    expect(
      (await call('duty', `/api/v1/incidents/${incident.id}/notes`, { text: 'x', snapshot: notJpeg })).status,
    ).toBe(400);
    const detail = await call<{ timeline: TimelineEntry[] }>('duty', `/api/v1/incidents/${incident.id}`);
    expect(detail.body.timeline.map((e) => e.kind)).toEqual(['created', 'status', 'snapshot']);
    expect(detail.body.timeline[1]?.data).toEqual({ from: 'reported', to: 'verified' });
  });
});

describe('warnings', () => {
  let warning: WarningView;

  it('previews exactly the two townships in the area; a township may not draft', async () => {
    const preview = await call<{ affectedTownshipIds: string[] }>('duty', '/api/v1/warnings/preview', {
      area: TWO_TOWNSHIPS,
    });
    expect(preview.body.affectedTownshipIds.sort()).toEqual(['donggua', 'lucheng']);
    const draft = {
      event: '暴雨',
      colour: 'orange',
      headline: '暴雨橙色预警',
      area: TWO_TOWNSHIPS,
      expires: new Date(Date.now() + 6 * HOUR).toISOString(),
      incidentId: incident.id,
      escalationMinutes: 0.05,
    };
    const refused = await call<{ error: { code: string } }>('lucheng', '/api/v1/warnings', draft);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const created = await call<WarningView>('duty', '/api/v1/warnings', draft);
    expect(created.status).toBe(201);
    warning = created.body;
    expect(warning).toMatchObject({ status: 'draft', identifier: `beacon-${warning.id}` });
    expect(warning.affectedTownshipIds.sort()).toEqual(['donggua', 'lucheng']);
    expect((await call('lucheng', `/api/v1/warnings/${warning.id}/issue`, {})).status).toBe(403);
  });

  it('issues to both terminals, stores an ack before answering it, and escalates to the one that did not ack', async () => {
    const staff = await terminal('duty');
    const lucheng = await terminal('lucheng');
    const donggua = await terminal('donggua');
    const zixi = await terminal('zixi');
    const staffAcks: AckBoardRow[] = [];
    staff.socket.on('ack:updated', (row) => staffAcks.push(row));

    const issued = await call<WarningView>('duty', `/api/v1/warnings/${warning.id}/issue`, {});
    expect(issued.body.status).toBe('issued');
    await waitFor(() => lucheng.alerts.length === 1 && donggua.alerts.length === 1, 'alert:new to both');
    expect(lucheng.alerts[0]).toMatchObject({ warningId: warning.id, colour: 'orange', notifyCount: 1 });
    expect(zixi.alerts).toEqual([]);

    expect(await request(lucheng.socket, 'alert:received', { warningId: warning.id })).toEqual({ ok: true, data: {} });
    const acked = await ok(lucheng.socket, 'alert:ack', { warningId: warning.id });
    expect(acked).toMatchObject({ townshipId: 'lucheng', ackedBy: 'u-lucheng', channel: 'terminal' });
    expect(acked.ackedAt).toEqual(expect.any(String));
    // Stored (the answer came after the commit): the node's own store has it.
    expect(
      (await t.beacon.node.store.warnings.delivery(warning.id, { kind: 'township', id: 'lucheng' }))?.ackedAt,
    ).toBe(acked.ackedAt);
    // Idempotent: the second ack returns the stored row unchanged.
    expect(await ok(lucheng.socket, 'alert:ack', { warningId: warning.id })).toEqual(acked);
    await waitFor(() => staffAcks.some((r) => r.townshipId === 'lucheng' && r.ackedAt !== null), 'staff ack:updated');
    // Not issued to 紫溪镇: nothing to ack there.
    expect(await request(zixi.socket, 'alert:ack', { warningId: warning.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    const board = await call<AckBoardRow[]>('duty', `/api/v1/warnings/${warning.id}/acks`);
    expect(board.body.filter((r) => r.ackedAt !== null).map((r) => r.townshipId)).toEqual(['lucheng']);
    expect(board.body.filter((r) => r.ackedAt === null).map((r) => r.townshipId)).toEqual(['donggua']);
    expect(board.body.find((r) => r.townshipId === 'lucheng')?.deliveredAt).toEqual(expect.any(String));

    // Escalation: 东瓜镇 is notified again; 鹿城镇 acked and is left alone.
    await waitFor(() => donggua.alerts.some((a) => a.notifyCount === 2), 'escalated alert:new');
    expect(lucheng.alerts).toHaveLength(1);
    await waitFor(
      () => staffAcks.some((r) => r.townshipId === 'donggua' && r.notifyCount >= 2),
      'staff ack:updated on escalation',
    );
    const after = await call<AckBoardRow[]>('duty', `/api/v1/warnings/${warning.id}/acks`);
    expect(after.body.find((r) => r.townshipId === 'lucheng')?.notifyCount).toBe(1);
    expect(after.body.find((r) => r.townshipId === 'donggua')?.notifyCount).toBeGreaterThanOrEqual(2);
    const timeline = (await call<{ timeline: TimelineEntry[] }>('duty', `/api/v1/incidents/${incident.id}`)).body
      .timeline;
    expect(timeline.some((e) => e.kind === 'warning' && e.data?.townshipId === 'donggua')).toBe(true);

    // A terminal that comes back gets the banner of what it has not acked, and only that.
    const lateDonggua = await terminal('donggua');
    const lateLucheng = await terminal('lucheng');
    await waitFor(() => lateDonggua.alerts.length >= 1, 'banner on reconnect');
    expect(lateDonggua.alerts[0]?.warningId).toBe(warning.id);
    expect(lateLucheng.alerts).toEqual([]);
    // The township sees only its own board line.
    const own = await call<AckBoardRow[]>('donggua', `/api/v1/warnings/${warning.id}/acks`);
    expect(own.body.map((r) => r.townshipId)).toEqual(['donggua']);
    await ok(donggua.socket, 'alert:ack', { warningId: warning.id });
  });

  it('exports CAP 1.2 XML, imports a valid alert as a draft and refuses a malformed one', async () => {
    const res = await api(t.url, token('duty'), `/api/v1/warnings/${warning.id}/cap`);
    expect(res.headers.get('content-type')).toMatch(/^application\/cap\+xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toContain('urn:oasis:names:tc:emergency:cap:1.2');

    // Plain fetch: the api() helper would label the body JSON.
    const importCap = (body: string, user = 'duty') =>
      fetch(`${t.url}/api/v1/warnings/import`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${token(user)}`, 'content-type': 'application/cap+xml' },
      });
    const count = async () => (await call<WarningView[]>('duty', '/api/v1/warnings')).body.length;
    const before = await count();
    // The CAP importer takes whole minutes only (this warning escalates after 0.05 for the test above).
    const copy = xml
      .replace(/<identifier>[^<]*<\/identifier>/, '<identifier>imported-0001</identifier>')
      .replace(/(beacon:escalationMinutes<\/valueName>\s*<value>)[^<]*/, '$110');
    const imported = await importCap(copy);
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ status: 'draft', identifier: 'imported-0001', colour: 'orange' });
    expect(await count()).toBe(before + 1);

    const malformed = await importCap('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</ident');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('cap_invalid');
    expect(await count()).toBe(before + 1);
    expect((await importCap(copy.replace('imported-0001', 'imported-0002'), 'lucheng')).status).toBe(403);
  });
});

describe('tasks, presence, pull, emergency meeting', () => {
  it('dispatches one task per township; a township sees and acts on its own only', async () => {
    const created = await call<TaskView[]>('duty', '/api/v1/tasks', {
      townshipIds: ['lucheng', 'donggua'],
      text: '组织群众转移',
      deadline: new Date(Date.now() + HOUR).toISOString(),
      incidentId: incident.id,
    });
    expect(created.status).toBe(201);
    expect(created.body).toHaveLength(2);
    expect(new Set(created.body.map((x) => x.batchId)).size).toBe(1);
    const mine = created.body.find((x) => x.townshipId === 'lucheng') as TaskView;
    const theirs = created.body.find((x) => x.townshipId === 'donggua') as TaskView;

    const own = await call<TaskView[]>('lucheng', '/api/v1/tasks');
    expect(own.body.map((x) => x.id)).toEqual([mine.id]);
    const other = await call<{ error: { code: string } }>('lucheng', '/api/v1/tasks?townshipId=donggua');
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');

    const { socket } = await terminal('lucheng');
    expect(await request(socket, 'task:ack', { taskId: theirs.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await ok(socket, 'task:ack', { taskId: mine.id })).toMatchObject({ status: 'acknowledged' });
    expect(await ok(socket, 'task:done', { taskId: mine.id, note: '已转移 32 人' })).toMatchObject({
      status: 'done',
      note: '已转移 32 人',
    });
    const all = await call<TaskView[]>('duty', `/api/v1/tasks?incidentId=${incident.id}`);
    expect(all.body.map((x) => x.status).sort()).toEqual(['done', 'sent']);
  });

  it('shows presence, pulls an online terminal and refuses an offline one', async () => {
    const { socket: lucheng } = await terminal('lucheng');
    const { socket: staff } = await terminal('duty');
    const presence = await call<{ townshipId: string; videoOnline: boolean }[]>('duty', '/api/v1/presence');
    expect(presence.body).toHaveLength(15);
    expect(presence.body.find((p) => p.townshipId === 'lucheng')?.videoOnline).toBe(true);
    expect(presence.body.find((p) => p.townshipId === 'dadiji')?.videoOnline).toBe(false);

    const pullRequest = nextEvent(lucheng, 'pull:request');
    expect(await ok(staff, 'pull:start', { townshipId: 'lucheng' })).toEqual({ roomId: 'pull-lucheng' });
    expect(await pullRequest).toEqual({ roomId: 'pull-lucheng' });
    expect((await t.beacon.node.store.rooms.get('pull-lucheng'))?.title).toBe('监控调阅 鹿城镇');
    const stopped = nextEvent(lucheng, 'pull:request');
    await ok(staff, 'pull:stop', { townshipId: 'lucheng' });
    expect(await stopped).toEqual({ roomId: null });
    expect(await request(staff, 'pull:start', { townshipId: 'dadiji' })).toMatchObject({
      ok: false,
      error: { code: 'terminal_offline' },
    });
    expect(await request(lucheng, 'pull:start', { townshipId: 'donggua' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('opens an emergency meeting in one click: the township is invited and the opener chairs', async () => {
    const { socket: lucheng } = await terminal('lucheng');
    const invite = nextEvent(lucheng, 'meeting:invite');
    const res = await call<{ roomId: string; invitedTownshipIds: string[] }>(
      'duty',
      `/api/v1/incidents/${incident.id}/meeting`,
      {},
    );
    expect(res.status).toBe(201);
    expect(res.body.invitedTownshipIds).toEqual(['lucheng']);
    expect(await invite).toMatchObject({ roomId: res.body.roomId, by: '值班员' });
    expect((await t.beacon.node.store.rooms.get(res.body.roomId))?.kind).toBe('emergency');

    const { socket: duty } = await terminal('duty');
    const joined = await ok(duty, 'room:join', { roomId: res.body.roomId });
    expect(joined.self.meetingRole).toBe('chair');
    await ok(duty, 'room:leave', {});
  });
});

describe('after-action report', () => {
  it('renders the incident as a standalone HTML page and its timeline as CSV, for the city side', async () => {
    const html = await api(t.url, token('duty'), `/api/v1/incidents/${incident.id}/report`);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await html.text();
    expect(page).toContain('<title>鹿城镇山体滑坡');
    expect(page).toContain('暴雨橙色预警');
    expect(page).toContain('组织群众转移');
    const csv = await api(t.url, token('duty'), `/api/v1/incidents/${incident.id}/report?format=csv`);
    const bytes = Buffer.from(await csv.arrayBuffer());
    // Excel needs the BOM to read UTF-8 (res.text() would strip it).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('时间,人员,类别,内容\r\n')).toBe(true);
    expect(text).toContain('调阅画面截图');
    expect((await api(t.url, token('lucheng'), `/api/v1/incidents/${incident.id}/report`)).status).toBe(403);
    // Each copy taken out is audited, refused ones not.
    const exports = (await t.beacon.node.store.audit.list({ limit: 50 })).filter(
      (e) => e.action === 'incident.report_export' && e.target === incident.id,
    );
    expect(exports.map((e) => (e.detail as { format: string }).format).sort()).toEqual(['csv', 'html']);
  });
});

describe('audit', () => {
  it('records command actions with actor and role, for admins only, and the database refuses edits', async () => {
    expect((await call('duty', '/api/v1/audit')).status).toBe(403);
    const entries = await call<{ action: string; actorId: string; role: string; detail: unknown }[]>(
      'admin',
      '/api/v1/audit?limit=1000',
    );
    const actions = new Set(entries.body.map((e) => e.action));
    for (const action of [
      'incident.create',
      'incident.status',
      'incident.note',
      'warning.create',
      'warning.issue',
      'warning.ack',
      'warning.escalate',
      'warning.import',
      'task.create',
      'task.ack',
      'task.done',
      'pull.start',
      'pull.stop',
      'meeting.emergency',
    ]) {
      expect(actions, action).toContain(action);
    }
    const status = entries.body.find((e) => e.action === 'incident.status');
    expect(status).toMatchObject({
      actorId: 'u-duty',
      role: 'duty_officer',
      detail: { before: 'reported', after: 'verified' },
    });

    const db = new SqliteDatabase(path.join(t.beacon.dataDir, 'beacon.sqlite'));
    try {
      expect(() => db.prepare("UPDATE audit SET action = 'nothing'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});
