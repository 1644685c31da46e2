/** Plans on both backends: versions, a response with its checklist, switching level, ticks and overdue flags. */
import type { PlanInput } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import type { Store } from './index.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

const content = (title: string): PlanInput => ({
  title,
  steps: [
    { text: '核实灾情', unitKind: 'desk', unitId: null, minutes: 15 },
    { text: '组织转移', unitKind: 'township', unitId: 'zixi', minutes: 30 },
    { text: '监测水位', unitKind: 'department', unitId: 'dp-sw', minutes: 60 },
  ],
  warning: null,
  tasks: [],
  meetingDepartmentIds: ['dp-sw'],
});

const saveVersion = (store: Store, id: string, title: string) =>
  store.plans.saveVersion({
    id,
    type: 'flood',
    level: 'III',
    content: content(title),
    createdAt: new Date().toISOString(),
    createdBy: 'u-duty',
    createdByName: '值班员',
  });

describeStoreBackends((env) => {
  let store: Store;
  let incidentId: string;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    incidentId = 'inc-1';
    await store.incidents.create({
      id: incidentId,
      type: 'flood',
      level: 'IV',
      title: '紫溪河洪水',
      description: '',
      reporter: '紫溪镇',
      townshipId: 'zixi',
      location: [25.0, 101.42],
      status: 'verified',
      createdAt: '2026-12-07T08:00:00.000Z',
      createdBy: 'u-duty',
      updatedAt: '2026-12-07T08:00:00.000Z',
      departmentIds: [],
    });
  });

  it('numbers versions per type and level; the current one is the newest, older ones stay readable', async () => {
    const v1 = await saveVersion(store, 'p1', '防汛 III 级');
    const v2 = await saveVersion(store, 'p2', '防汛 III 级（修订）');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect((await store.plans.current('flood', 'III'))?.id).toBe('p2');
    expect((await store.plans.versions('flood', 'III')).map((p) => p.title)).toEqual([
      '防汛 III 级（修订）',
      '防汛 III 级',
    ]);
    expect((await store.plans.get('p1'))?.steps[2]).toEqual({
      text: '监测水位',
      unitKind: 'department',
      unitId: 'dp-sw',
      minutes: 60,
    });
    expect((await store.plans.listCurrent()).map((p) => p.id)).toEqual(['p2']);
    expect(await store.plans.current('flood', 'II')).toBeUndefined();
  });

  it('starts a response with its checklist, switches level keeping the old one as history, ticks once', async () => {
    await saveVersion(store, 'p1', '防汛 III 级');
    const at = new Date().toISOString();
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const first = await store.plans.startResponse(
      { id: 'r1', incidentId, planId: 'p1', level: 'III', startedAt: at, startedBy: 'u-duty', startedByName: '值班员' },
      [
        { id: 'c1', position: 0, text: '核实灾情', unitKind: 'desk', unitId: null, dueAt: soon },
        { id: 'c2', position: 1, text: '监测水位', unitKind: 'department', unitId: 'dp-sw', dueAt: soon },
      ],
    );
    expect(first.checklist.map((i) => [i.unitName, i.overdue, i.superseded])).toEqual([
      ['值班室', false, false],
      ['楚雄市水务局', false, false],
    ]);
    expect((await store.incidents.get(incidentId))?.level).toBe('III');

    const ticked = await store.plans.tick('c2', { userId: 'u-duty', name: '水务局' }, at);
    expect(ticked?.doneByName).toBe('水务局');
    expect(await store.plans.tick('c2', { userId: 'u-duty', name: '又一次' }, at)).toBeUndefined();
    expect((await store.plans.runningItems({ kind: 'department', id: 'dp-sw' })).map((i) => i.id)).toEqual(['c2']);
    expect((await store.plans.runningItems({ kind: 'desk', id: null })).map((i) => i.id)).toEqual(['c1']);

    await saveVersion(store, 'p2', '防汛 III 级（修订）');
    await store.plans.startResponse(
      { id: 'r2', incidentId, planId: 'p1', level: 'II', startedAt: at, startedBy: 'u-duty', startedByName: '值班员' },
      [{ id: 'c3', position: 0, text: '启动 II 级', unitKind: 'desk', unitId: null, dueAt: soon }],
    );
    const all = await store.plans.responses(incidentId);
    expect(all.map((r) => [r.level, r.endedAt === null, r.planVersion])).toEqual([
      ['III', false, 1],
      ['II', true, 1],
    ]);
    expect(all[0]?.checklist.every((i) => i.superseded)).toBe(true);
    // A superseded item is history: it cannot be ticked any more.
    expect(await store.plans.tick('c1', { userId: 'u-duty', name: '值班员' }, at)).toBeUndefined();
    expect((await store.plans.item('c1'))?.doneAt).toBeNull();
    expect((await store.incidents.get(incidentId))?.level).toBe('II');
    expect(await store.plans.markTasksSent('r2', at)).toBe(true);
    expect(await store.plans.markTasksSent('r2', at)).toBe(false);
    expect(await store.plans.markTasksSent('r1', at)).toBe(false);
  });

  it('finds open items past due once and flags them overdue', async () => {
    await saveVersion(store, 'p1', '防汛 III 级');
    const past = new Date(Date.now() - 60_000).toISOString();
    await store.plans.startResponse(
      {
        id: 'r1',
        incidentId,
        planId: 'p1',
        level: 'III',
        startedAt: past,
        startedBy: 'u-duty',
        startedByName: '值班员',
      },
      [
        { id: 'c1', position: 0, text: '核实灾情', unitKind: 'desk', unitId: null, dueAt: past },
        {
          id: 'c2',
          position: 1,
          text: '组织转移',
          unitKind: 'township',
          unitId: 'zixi',
          dueAt: '2099-01-01T00:00:00.000Z',
        },
      ],
    );
    const now = new Date().toISOString();
    expect((await store.plans.flagOverdue(now)).map((i) => [i.id, i.overdue])).toEqual([['c1', true]]);
    expect(await store.plans.flagOverdue(now)).toEqual([]);
    expect((await store.plans.item('c1'))?.overdue).toBe(true);
    expect((await store.plans.item('c2'))?.overdue).toBe(false);
  });
});
