/**
 * Plans and responses on a real store (both backends): versions and who may
 * write them, a response started from the plan (checklist, prefill, task
 * preview, invitees), switching level with history kept, an old incident
 * keeping its version, ticks by the responsible unit only, tasks sent once,
 * overdue items flagged by the watch.
 */
import {
  BeaconError,
  type ChecklistItemView,
  type IncidentView,
  type PlanInput,
  planInputSchema,
} from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import { TaskDesk } from '../command/TaskDesk.ts';
import { OverdueCalls } from '../reports/OverdueCalls.ts';
import { bridgeWithGateway, createWaterBureauPhone } from '../sip/testing/bridgeWithGateway.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { ChecklistWatch } from './ChecklistWatch.ts';
import { PlanDesk } from './PlanDesk.ts';
import { ResponseDesk } from './ResponseDesk.ts';

const actor = (userId: string, role: Actor['role'], unit: Partial<Actor> = {}): Actor => ({
  userId,
  username: userId,
  displayName: userId,
  role,
  townshipId: null,
  ...unit,
});
const duty = actor('u-duty', 'duty_officer');
const chair = actor('u-chair', 'chair');
const water = actor('u-sw', 'department', { departmentId: 'dp-sw' });
const zixi = actor('u-zixi', 'township', { townshipId: 'zixi' });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  return (error as BeaconError).code;
}

const floodIII = (title = '防汛 III 级应急预案', over: Partial<PlanInput> = {}): PlanInput =>
  planInputSchema.parse({
    title,
    steps: [
      { text: '核实灾情并报市领导', unitKind: 'desk', minutes: 15 },
      { text: '组织危险区群众转移', unitKind: 'township', minutes: 30 },
      { text: '监测紫溪河水位', unitKind: 'department', unitId: 'dp-sw', minutes: 60 },
    ],
    warning: { event: '洪水', colour: 'orange', headline: '紫溪河洪水橙色预警', instruction: '远离河道', radiusKm: 8 },
    tasks: [
      { text: '转移沿河群众', toAffectedTownships: true, minutes: 60 },
      { text: '水库泄洪调度', toAffectedTownships: false, departmentIds: ['dp-sw'], minutes: 30 },
    ],
    meetingDepartmentIds: ['dp-sw', 'dp-qx'],
    ...over,
  });

describeStoreBackends((env) => {
  let store: Store;
  let plans: PlanDesk;
  let responses: ResponseDesk;
  let incident: IncidentView;
  let pushed: ChecklistItemView[];
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    await store.users.create({
      id: 'u-sw',
      username: 'shuiwu',
      displayName: 'u-sw',
      role: 'department',
      townshipId: null,
      departmentId: 'dp-sw',
      phone: null,
      passwordHash: 'h',
    });
    const bus = new CommandBus(store);
    const incidents = new IncidentDesk(bus);
    plans = new PlanDesk(bus);
    responses = new ResponseDesk({ bus, incidents, tasks: new TaskDesk(bus) });
    pushed = [];
    responses.on('checklist', (item) => pushed.push(item));
    incident = await incidents.create(duty, {
      type: 'flood',
      level: 'IV',
      title: '紫溪河洪水',
      description: '',
      reporter: '紫溪镇',
      townshipId: 'zixi',
      departmentIds: [],
      location: [25.0, 101.42],
    });
  });

  it('saves versions for admins and duty officers; a chair, a township or a disabled department are refused', async () => {
    const v1 = await plans.save(duty, 'flood', 'III', floodIII());
    const v2 = await plans.save(actor('u-admin', 'admin'), 'flood', 'III', floodIII('防汛 III 级（修订）'));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(await codeOf(plans.save(chair, 'flood', 'III', floodIII()))).toBe('forbidden');
    expect(await codeOf(plans.save(zixi, 'flood', 'III', floodIII()))).toBe('forbidden');
    await store.departments.setEnabled('dp-qx', false);
    expect(await codeOf(plans.save(duty, 'flood', 'II', floodIII()))).toBe('plan_invalid');
    const namesTownship = floodIII('x', {
      steps: [{ text: '转移', unitKind: 'township', unitId: 'nowhere', minutes: 5 }],
    });
    expect(await codeOf(plans.save(duty, 'flood', 'II', namesTownship))).toBe('plan_invalid');
    expect(await plans.versions(duty, 'flood', 'II')).toEqual([]);
    expect((await plans.versions(chair, 'flood', 'III')).map((p) => p.version)).toEqual([2, 1]);
    expect((await store.audit.list()).filter((a) => a.action === 'plan.save')).toHaveLength(2);
  });

  it('starts a response: checklist per unit, incident level and status, invitees, prefill, task preview', async () => {
    expect(await codeOf(responses.start(duty, incident.id, 'III'))).toBe('plan_missing');
    await plans.save(duty, 'flood', 'III', floodIII());
    const state = await responses.start(duty, incident.id, 'III');
    expect(state.current?.checklist.map((i) => [i.unitKind, i.unitId, i.unitName])).toEqual([
      ['desk', null, '值班室'],
      ['township', 'zixi', '紫溪镇'],
      ['department', 'dp-sw', '楚雄市水务局'],
    ]);
    const due = state.current?.checklist.map((i) => Date.parse(i.dueAt) - Date.parse(state.current?.startedAt ?? ''));
    expect(due).toEqual([15, 30, 60].map((m) => m * 60_000));
    expect(state.warning).toMatchObject({
      headline: '紫溪河洪水橙色预警',
      area: { type: 'circle', center: [25.0, 101.42], radiusKm: 8 },
      incidentId: incident.id,
    });
    expect(state.tasks).toEqual([
      { text: '转移沿河群众', minutes: 60, toAffectedTownships: true, townshipIds: ['zixi'], departmentIds: [] },
      { text: '水库泄洪调度', minutes: 30, toAffectedTownships: false, townshipIds: [], departmentIds: ['dp-sw'] },
    ]);
    const after = await store.incidents.get(incident.id);
    expect(after).toMatchObject({ level: 'III', status: 'responding', departmentIds: ['dp-sw', 'dp-qx'] });
    expect((await store.incidents.timeline(incident.id)).map((e) => e.text)).toContain(
      '【应急预案】启动 III 级响应：防汛 III 级应急预案（第 1 版，3 项）',
    );
    expect(pushed).toHaveLength(3);
    expect(await codeOf(responses.start(duty, incident.id, 'III'))).toBe('invalid_state');
    expect(await codeOf(responses.start(zixi, incident.id, 'II'))).toBe('forbidden');
  });

  it('switches level keeping history; the incident keeps the version its response used', async () => {
    await plans.save(duty, 'flood', 'III', floodIII());
    await plans.save(duty, 'flood', 'II', floodIII('防汛 II 级应急预案'));
    await responses.start(duty, incident.id, 'III');
    await plans.save(duty, 'flood', 'III', floodIII('防汛 III 级（修订）'));
    const kept = await responses.state(duty, incident.id);
    expect([kept.current?.planTitle, kept.current?.planVersion]).toEqual(['防汛 III 级应急预案', 1]);

    const raised = await responses.start(duty, incident.id, 'II');
    expect(raised.current?.level).toBe('II');
    expect(raised.history.map((r) => [r.level, r.checklist.every((i) => i.superseded)])).toEqual([['III', true]]);
    expect((await store.incidents.get(incident.id))?.level).toBe('II');
    const old = raised.history[0]?.checklist[0];
    expect(await codeOf(responses.tick(duty, old?.id ?? ''))).toBe('invalid_state');
    expect((await store.plans.item(old?.id ?? ''))?.doneAt).toBeNull();
    expect((await store.incidents.timeline(incident.id)).map((e) => e.text)).toContain(
      '【应急预案】响应级别 III → II：防汛 II 级应急预案（第 1 版，3 项）',
    );
  });

  it('lets only the responsible unit tick its item; others are refused and nothing changes', async () => {
    await plans.save(duty, 'flood', 'III', floodIII());
    const state = await responses.start(duty, incident.id, 'III');
    const [deskItem, townshipItem, waterItem] = state.current?.checklist ?? [];
    expect(await codeOf(responses.tick(zixi, waterItem?.id ?? ''))).toBe('forbidden');
    expect(await codeOf(responses.tick(duty, waterItem?.id ?? ''))).toBe('forbidden');
    expect(await codeOf(responses.tick(water, deskItem?.id ?? ''))).toBe('forbidden');
    expect((await store.plans.item(waterItem?.id ?? ''))?.doneAt).toBeNull();

    const ticked = await responses.tick(water, waterItem?.id ?? '');
    expect(ticked).toMatchObject({ doneByName: 'u-sw', overdue: false });
    expect((await responses.tick(water, waterItem?.id ?? '')).doneAt).toBe(ticked.doneAt);
    expect((await responses.tick(zixi, townshipItem?.id ?? '')).doneAt).not.toBeNull();
    expect((await responses.tick(duty, deskItem?.id ?? '')).doneAt).not.toBeNull();
    expect((await responses.items(water)).map((i) => i.id)).toEqual([waterItem?.id]);
    expect((await responses.items(zixi)).map((i) => i.id)).toEqual([townshipItem?.id]);
    const audited = (await store.audit.list()).filter((a) => a.action === 'checklist.done');
    expect(audited).toHaveLength(3);
  });

  it('sends the previewed tasks once, to the townships kept and the departments', async () => {
    await plans.save(duty, 'flood', 'III', floodIII());
    await responses.start(duty, incident.id, 'III');
    const sent = await responses.sendTasks(duty, incident.id, ['zixi', 'lucheng']);
    expect(sent.map((t) => [t.text, t.townshipId ?? t.departmentId]).sort()).toEqual(
      [
        ['转移沿河群众', 'zixi'],
        ['转移沿河群众', 'lucheng'],
        ['水库泄洪调度', 'dp-sw'],
      ].sort(),
    );
    expect(await codeOf(responses.sendTasks(duty, incident.id))).toBe('invalid_state');
    expect((await responses.state(duty, incident.id)).current?.tasksSentAt).not.toBeNull();
  });

  it('flags items past due once and pushes them red', async () => {
    await plans.save(duty, 'flood', 'III', floodIII());
    await responses.start(duty, incident.id, 'III');
    const watch = new ChecklistWatch({ desk: responses, tickMs: 3_600_000 });
    try {
      pushed = [];
      const flagged = await watch.tick(new Date(Date.now() + 20 * 60_000));
      expect(flagged.map((i) => i.text)).toEqual(['核实灾情并报市领导']);
      expect(pushed.map((i) => [i.text, i.overdue])).toEqual([['核实灾情并报市领导', true]]);
      expect(await watch.tick(new Date(Date.now() + 20 * 60_000))).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('calls the responsible units’ desk phones once per overdue item, again on the repeat while it is open', async () => {
    await createWaterBureauPhone(store);
    // 紫溪镇's desk phone (8004) and the water bureau's are registered.
    const { bridge, calls } = await bridgeWithGateway(store, ['8004', '8101']);
    await plans.save(duty, 'flood', 'III', floodIII());
    const started = await responses.start(duty, incident.id, 'III');
    const repeatMs = 10 * 60_000;
    const watch = new ChecklistWatch({
      desk: responses,
      tickMs: 3_600_000,
      store,
      calls: new OverdueCalls({ sip: bridge, store, repeatMs }),
    });
    try {
      const t0 = Date.now() + 61 * 60_000;
      await watch.tick(new Date(t0));
      // The desk's own item rings no phone; the township's and the department's are read out once.
      expect(calls.map((c) => [c.extension, c.townshipId])).toEqual([
        ['8004', 'zixi'],
        ['8101', null],
      ]);
      expect(calls[1]?.textZh).toContain('监测紫溪河水位');
      expect(calls[1]?.warningId).toMatch(/^checklist:/);
      await watch.tick(new Date(t0 + 60_000));
      expect(calls).toHaveLength(2);
      // The township ticks its item: only the department's is called again on the repeat.
      const township = started.current?.checklist.find((i) => i.unitKind === 'township');
      await responses.tick(zixi, township?.id ?? '');
      await watch.tick(new Date(t0 + repeatMs));
      expect(calls.slice(2).map((c) => c.extension)).toEqual(['8101']);
    } finally {
      watch.stop();
    }
  });
});
