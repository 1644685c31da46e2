/**
 * Departments in the command room (部门联动) against a real node and real sockets: a warning goes to the
 * townships its area reaches and to departments chosen by hand, a task to a department, an incident involves
 * departments and its emergency meeting invites them. A department account sees and acknowledges what is
 * addressed to its department, and nothing of another department's or a township's (coded `forbidden` or
 * absent, nothing changed).
 */
import type { AckBoardRow, AlertForTerminal, IncidentView, TaskView, WarningView } from '@beacon/protocol';
import { io } from 'socket.io-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, login, ok, request, type TestClient, useTestNode } from './helpers.ts';

const t = useTestNode();
const tokens: Record<string, string> = {};
const opened: TestClient[] = [];
const HOUR = 3_600_000;
/** Covers 鹿城镇 and 东瓜镇 and nothing else. */
const TWO_TOWNSHIPS = { type: 'circle', center: [25.03, 101.57], radiusKm: 5 } as const;

async function call<T>(
  user: string,
  pathname: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<{ status: number; body: T }> {
  const res = await api(t.url, tokens[user], pathname, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A department account created by the admin, its first password changed as the policy asks. */
async function departmentAccount(username: string, departmentId: string): Promise<string> {
  const created = await call<{ id: string }>('admin', '/api/v1/admin/users', {
    username,
    password: 'initial-pass-2',
    displayName: `${username} 值班`,
    role: 'department',
    departmentId,
  });
  expect(created.status).toBe(201);
  const first = await login(t.url, username, 'initial-pass-2');
  const changed = await api(t.url, first, '/api/v1/auth/password', {
    method: 'POST',
    body: JSON.stringify({ currentPassword: 'initial-pass-2', newPassword: 'Quiet-harbour-lamp-4' }),
  });
  expect(changed.status).toBe(200);
  return ((await changed.json()) as { token: string }).token;
}

/** A socket whose listeners are on before the handshake (pending banners come right after it). */
async function terminal(user: string) {
  const alerts: AlertForTerminal[] = [];
  const tasks: TaskView[] = [];
  const invites: { roomId: string }[] = [];
  const socket: TestClient = io(t.url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token: tokens[user] },
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  socket.on('alert:new', (alert) => alerts.push(alert));
  socket.on('task:updated', (task) => tasks.push(task));
  socket.on('meeting:invite', (invite) => invites.push(invite));
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  opened.push(socket);
  return { socket, alerts, tasks, invites };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  for (const user of ['admin', 'duty', 'lucheng']) tokens[user] = await login(t.url, user);
  tokens.water = await departmentAccount('water-duty', 'dp-sw');
  tokens.police = await departmentAccount('police-duty', 'dp-ga');
  return () => {
    for (const socket of opened) socket.close();
  };
});

describe('departments in the command room', () => {
  it('refuses a warning to an unknown or disabled department and stores nothing', async () => {
    const before = (await call<WarningView[]>('duty', '/api/v1/warnings')).body.length;
    const draft = {
      event: '暴雨',
      colour: 'orange',
      headline: '暴雨橙色预警',
      area: TWO_TOWNSHIPS,
      expires: new Date(Date.now() + HOUR).toISOString(),
    };
    const unknown = await call<{ error: { code: string } }>('duty', '/api/v1/warnings', {
      ...draft,
      departmentIds: ['dp-nope'],
    });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect((await call('admin', '/api/v1/admin/departments/dp-jt/disable', {})).status).toBe(200);
    const disabled = await call<{ error: { code: string } }>('duty', '/api/v1/warnings', {
      ...draft,
      departmentIds: ['dp-jt'],
    });
    expect(disabled).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect((await call<WarningView[]>('duty', '/api/v1/warnings')).body).toHaveLength(before);
    // The pickers offer enabled departments only.
    const listed = (await call<{ id: string }[]>('duty', '/api/v1/departments')).body.map((d) => d.id);
    expect(listed).toContain('dp-sw');
    expect(listed).not.toContain('dp-jt');
  });

  it('warns the area’s townships and the water bureau; the bureau acks its own line, police sees nothing', async () => {
    const water = await terminal('water');
    const police = await terminal('police');
    const created = await call<WarningView>('duty', '/api/v1/warnings', {
      event: '暴雨',
      colour: 'orange',
      headline: '暴雨橙色预警：水库超汛限',
      area: TWO_TOWNSHIPS,
      expires: new Date(Date.now() + HOUR).toISOString(),
      departmentIds: ['dp-sw', 'dp-sw'],
    });
    expect(created.status).toBe(201);
    expect(created.body.departmentIds).toEqual(['dp-sw']);
    const id = created.body.id;
    // A draft is nobody's business but the city's.
    expect((await call('water', `/api/v1/warnings/${id}`)).status).toBe(404);
    expect((await call('duty', `/api/v1/warnings/${id}/issue`, {})).status).toBe(200);

    const board = (await call<AckBoardRow[]>('duty', `/api/v1/warnings/${id}/acks`)).body;
    expect(board.map((r) => r.townshipId ?? r.departmentId).sort()).toEqual(['donggua', 'dp-sw', 'lucheng']);
    await waitFor(() => water.alerts.some((a) => a.warningId === id), 'the water bureau’s banner');

    expect(await request(police.socket, 'alert:ack', { warningId: id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect((await call('police', `/api/v1/warnings/${id}`)).status).toBe(404);
    expect((await call<WarningView[]>('police', '/api/v1/warnings')).body.map((w) => w.id)).not.toContain(id);

    await ok(water.socket, 'alert:received', { warningId: id });
    const acked = await ok(water.socket, 'alert:ack', { warningId: id });
    expect(acked).toMatchObject({ departmentId: 'dp-sw', townshipId: null, channel: 'terminal' });
    expect(acked.ackedAt).toEqual(expect.any(String));
    expect((await call<AckBoardRow[]>('water', `/api/v1/warnings/${id}/acks`)).body).toEqual([acked]);
    const after = (await call<AckBoardRow[]>('duty', `/api/v1/warnings/${id}/acks`)).body;
    expect(after.filter((r) => r.ackedAt !== null).map((r) => r.departmentId)).toEqual(['dp-sw']);
    expect(police.alerts.some((a) => a.warningId === id)).toBe(false);
    const audit = await t.beacon.node.store.audit.list({ limit: 50 });
    expect(audit.find((e) => e.action === 'warning.ack' && e.target === id)?.detail).toMatchObject({
      departmentId: 'dp-sw',
    });
  });

  it('sends a task to a department: private to it, acked and done by it only', async () => {
    const water = await terminal('water');
    const police = await terminal('police');
    const lucheng = await terminal('lucheng');
    const created = await call<TaskView[]>('duty', '/api/v1/tasks', {
      departmentIds: ['dp-sw'],
      townshipIds: ['lucheng'],
      text: '核查水库水位',
      deadline: new Date(Date.now() + HOUR).toISOString(),
    });
    expect(created.status).toBe(201);
    const task = created.body.find((x) => x.departmentId === 'dp-sw') as TaskView;
    expect(task).toMatchObject({ townshipId: null, status: 'sent' });
    await waitFor(() => water.tasks.some((x) => x.id === task.id), 'the water bureau’s task:updated');

    expect((await call<TaskView[]>('water', '/api/v1/tasks')).body.map((x) => x.id)).toEqual([task.id]);
    expect((await call<TaskView[]>('police', '/api/v1/tasks')).body).toEqual([]);
    expect((await call<TaskView[]>('lucheng', '/api/v1/tasks')).body.map((x) => x.id)).not.toContain(task.id);
    expect(await call('police', '/api/v1/tasks?departmentId=dp-sw')).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect(await call('water', '/api/v1/tasks?townshipId=lucheng')).toMatchObject({ status: 403 });
    for (const other of [police, lucheng]) {
      expect(await request(other.socket, 'task:ack', { taskId: task.id })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect((await t.beacon.node.store.tasks.get(task.id))?.status).toBe('sent');
    expect(await ok(water.socket, 'task:ack', { taskId: task.id })).toMatchObject({ status: 'acknowledged' });
    expect(await ok(water.socket, 'task:done', { taskId: task.id, note: '水位正常' })).toMatchObject({
      status: 'done',
      note: '水位正常',
    });
    expect(police.tasks.some((x) => x.id === task.id)).toBe(false);
    expect(
      await call('duty', '/api/v1/tasks', {
        text: 'x',
        deadline: new Date(Date.now() + HOUR).toISOString(),
      }),
    ).toMatchObject({ status: 400 });
  });

  it('involves departments in an incident and invites them to its emergency meeting', async () => {
    const water = await terminal('water');
    const created = await call<IncidentView>('duty', '/api/v1/incidents', {
      type: 'flood',
      level: 'III',
      title: '龙川江水位超警',
      location: [25.041, 101.541],
      departmentIds: ['dp-sw'],
    });
    expect(created.status).toBe(201);
    const incident = created.body;
    expect(incident.departmentIds).toEqual(['dp-sw']);
    expect((await call<IncidentView[]>('water', '/api/v1/incidents')).body.map((i) => i.id)).toEqual([incident.id]);
    expect((await call('water', `/api/v1/incidents/${incident.id}`)).status).toBe(200);
    expect((await call<IncidentView[]>('police', '/api/v1/incidents')).body).toEqual([]);
    expect((await call('police', `/api/v1/incidents/${incident.id}`)).status).toBe(404);
    expect(
      await call('police', `/api/v1/incidents/${incident.id}/departments`, { departmentIds: ['dp-ga'] }, 'PUT'),
    ).toMatchObject({ status: 403 });

    const changed = await call<IncidentView>(
      'duty',
      `/api/v1/incidents/${incident.id}/departments`,
      { departmentIds: ['dp-sw', 'dp-ga'] },
      'PUT',
    );
    expect(changed).toMatchObject({ status: 200, body: { departmentIds: ['dp-sw', 'dp-ga'] } });
    expect((await call('police', `/api/v1/incidents/${incident.id}`)).status).toBe(200);

    const meeting = await call<{ roomId: string; invitedDepartmentIds: string[] }>(
      'duty',
      `/api/v1/incidents/${incident.id}/meeting`,
      { departmentIds: ['dp-sw'] },
    );
    expect(meeting.status).toBe(201);
    expect(meeting.body.invitedDepartmentIds).toEqual(['dp-sw']);
    await waitFor(() => water.invites.some((i) => i.roomId === meeting.body.roomId), 'the water bureau’s invite');
    expect((await t.beacon.node.store.roomMembers.get(meeting.body.roomId)).members).toContainEqual({
      kind: 'department',
      id: 'dp-sw',
    });
  });
});
