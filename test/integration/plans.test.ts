/**
 * Emergency plans against a real node, over REST and sockets: who may save a
 * plan and what a bad one is answered; a response started on an incident
 * pushes the checklist to the duty desk and to each unit's sockets (the water
 * bureau hears its item, 紫溪镇 its own, never the other's); an item past due
 * turns red on both sides; a level change supersedes the old checklist.
 */
import type { ChecklistItemView, ResponseStateView } from '@beacon/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, connect, login, useTestNode } from './helpers.ts';

const t = useTestNode();
const tokens: Record<string, string> = {};

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  const body = (await res.json().catch(() => null)) as unknown;
  return { status: res.status, body };
}
const send = (user: string, method: string, pathname: string, body: unknown = {}) =>
  call(user, pathname, { method, body: JSON.stringify(body) });
const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;

const plan = (title: string) => ({
  title,
  steps: [
    { text: '核实灾情', unitKind: 'desk', minutes: 10 },
    { text: '组织转移', unitKind: 'township', minutes: 30 },
    { text: '监测水位', unitKind: 'department', unitId: 'dp-sw', minutes: 20 },
  ],
  meetingDepartmentIds: ['dp-sw'],
});

/** Resolves with the first `checklist:updated` the socket hears that `match` accepts. */
function heard(socket: Awaited<ReturnType<typeof connect>>, match: (item: ChecklistItemView) => boolean) {
  const seen: ChecklistItemView[] = [];
  const done = new Promise<ChecklistItemView>((resolve) => {
    const onItem = (item: ChecklistItemView) => {
      seen.push(item);
      if (!match(item)) return;
      socket.off('checklist:updated', onItem);
      resolve(item);
    };
    socket.on('checklist:updated', onItem);
  });
  return { done, seen };
}

describe('emergency plans over REST and sockets', () => {
  beforeAll(async () => {
    for (const user of ['admin', 'duty', 'chair', 'zixi']) tokens[user] = await login(t.url, user);
    expect(
      (
        await send('admin', 'POST', '/admin/users', {
          username: 'sw-plan',
          password: 'initial-pass-3',
          displayName: '水务局值班',
          role: 'department',
          departmentId: 'dp-sw',
        })
      ).status,
    ).toBe(201);
    const changed = await api(t.url, await login(t.url, 'sw-plan', 'initial-pass-3'), '/api/v1/auth/password', {
      method: 'POST',
      body: JSON.stringify({ currentPassword: 'initial-pass-3', newPassword: 'Water-bureau-plan-31' }),
    });
    tokens.water = ((await changed.json()) as { token: string }).token;
  });

  it('saves versions for the duty officer; refuses a chair, a township and bad bodies with codes', async () => {
    expect((await send('duty', 'PUT', '/plans/flood/III', plan('防汛 III 级'))).status).toBe(201);
    expect(codeOf((await send('chair', 'PUT', '/plans/flood/III', plan('x'))).body)).toBe('forbidden');
    expect(codeOf((await send('zixi', 'PUT', '/plans/flood/III', plan('x'))).body)).toBe('forbidden');
    const noUnit = { ...plan('x'), steps: [{ text: 'y', unitKind: 'department', minutes: 5 }] };
    const bad = await send('duty', 'PUT', '/plans/flood/III', noUnit);
    expect([bad.status, codeOf(bad.body)]).toEqual([400, 'plan_invalid']);
    expect(codeOf((await send('duty', 'PUT', '/plans/volcano/III', plan('x'))).body)).toBe('bad_request');
    expect(codeOf((await call('zixi', '/plans')).body)).toBe('forbidden');
    const versions = (await call('chair', '/plans/flood/III')).body as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual([1]);
  });

  it('pushes each unit its own items, red when late, superseded on a level change', async () => {
    await send('duty', 'PUT', '/plans/flood/III', plan('防汛 III 级'));
    await send('duty', 'PUT', '/plans/flood/II', plan('防汛 II 级'));
    const incident = (
      await send('duty', 'POST', '/incidents', {
        type: 'flood',
        level: 'IV',
        title: '紫溪河洪水',
        townshipId: 'zixi',
        location: [25.0, 101.42],
      })
    ).body as { id: string };
    const desk = await connect(t.url, tokens.duty);
    const water = await connect(t.url, tokens.water);
    const zixi = await connect(t.url, tokens.zixi);
    try {
      const onWater = heard(water, (i) => i.incidentId === incident.id);
      const onZixi = heard(zixi, (i) => i.incidentId === incident.id);
      const started = await send('duty', 'POST', `/incidents/${incident.id}/response`, { level: 'III' });
      expect(started.status).toBe(201);
      expect((await onWater.done).unitId).toBe('dp-sw');
      expect((await onZixi.done).unitId).toBe('zixi');
      const state = started.body as ResponseStateView;
      const [deskItem, zixiItem, waterItem] = state.current?.checklist ?? [];

      // 紫溪镇 cannot tick the bureau's item, nor read the command room's response view.
      const refused = await send('zixi', 'POST', `/checklist/${waterItem?.id}/done`);
      expect([refused.status, codeOf(refused.body)]).toEqual([403, 'forbidden']);
      expect(codeOf((await call('zixi', `/incidents/${incident.id}/response`)).body)).toBe('forbidden');
      expect(((await call('water', '/checklist')).body as ChecklistItemView[]).map((i) => i.id)).toEqual([
        waterItem?.id,
      ]);

      // Past due: the watch flags the desk's item; the desk hears it red.
      const red = heard(desk, (i) => i.id === deskItem?.id && i.overdue);
      await t.beacon.node.command.checklistWatch.tick(new Date(Date.now() + 15 * 60_000));
      expect((await red.done).overdue).toBe(true);
      // The bureau hears its own item red later, never 紫溪镇's.
      const waterRed = heard(water, (i) => i.id === waterItem?.id && i.overdue);
      await t.beacon.node.command.checklistWatch.tick(new Date(Date.now() + 25 * 60_000));
      expect((await waterRed.done).overdue).toBe(true);
      expect(onWater.seen.concat(waterRed.seen).some((i) => i.id === zixiItem?.id)).toBe(false);

      // Raised to II: the old items are superseded, the new plan's pushed.
      const superseded = heard(zixi, (i) => i.id === zixiItem?.id && i.superseded);
      const raised = (await send('duty', 'POST', `/incidents/${incident.id}/response`, { level: 'II' }))
        .body as ResponseStateView;
      expect((await superseded.done).superseded).toBe(true);
      expect([raised.current?.level, raised.current?.planTitle, raised.history.length]).toEqual([
        'II',
        '防汛 II 级',
        1,
      ]);
      const late = await send('zixi', 'POST', `/checklist/${zixiItem?.id}/done`);
      expect(codeOf(late.body)).toBe('invalid_state');

      // The after-action report lists both responses' checklists: the bureau's ticked item on time, the rest open.
      const newWaterItem = raised.current?.checklist.find((i) => i.unitId === 'dp-sw');
      expect((await send('water', 'POST', `/checklist/${newWaterItem?.id}/done`)).status).toBe(200);
      const report = await (await api(t.url, tokens.duty, `/api/v1/incidents/${incident.id}/report`)).text();
      const section = report.slice(report.indexOf('预案响应'), report.indexOf('任务 / Tasks'));
      // The first test saved version 1 of the III plan; this one runs on version 2.
      expect(section).toContain('III级 · 防汛 III 级 v2（已切换）');
      expect(section).toMatch(/监测水位<\/td><td>[^<]*水务局<\/td><td>[^<]+<\/td><td>[^<]+水务局值班<\/td><td>按时/);
      expect(section.match(/<tr>/g)?.length).toBe(1 + 6);
    } finally {
      desk.close();
      water.close();
      zixi.close();
    }
  });
});
