/**
 * A plan's or response's change and its audit entry commit together (both backends): with the entry refused
 * (a trigger aborts its insert), saving a plan version, starting a response, ticking a checklist item and marking
 * the tasks sent store nothing; with entries written again the same calls go through, each with its one entry.
 */
import { planInputSchema } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import { TaskDesk } from '../command/TaskDesk.ts';
import { actor } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { PlanDesk } from './PlanDesk.ts';
import { ResponseDesk } from './ResponseDesk.ts';

const duty = actor('u-duty', 'duty_officer');
const plan = planInputSchema.parse({
  title: '防汛 III 级应急预案',
  steps: [{ text: '核实灾情并报市领导', unitKind: 'desk', minutes: 15 }],
  tasks: [{ text: '转移沿河群众', toAffectedTownships: true, minutes: 60 }],
});

describeStoreBackends((env) => {
  let store: Store;
  let plans: PlanDesk;
  let responses: ResponseDesk;
  let incidentId: string;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    const incidents = new IncidentDesk(bus);
    plans = new PlanDesk(bus);
    responses = new ResponseDesk({ bus, incidents, tasks: new TaskDesk(bus) });
    const incident = await incidents.create(duty, {
      type: 'flood',
      level: 'IV',
      title: '紫溪河洪水',
      description: '',
      reporter: '紫溪镇',
      townshipId: 'zixi',
      departmentIds: [],
      location: [25.0, 101.42],
    });
    incidentId = incident.id;
  });
  const count = async (action: string) =>
    (await store.audit.list({ limit: 1000 })).filter((e) => e.action === action).length;

  it('keeps no plan version whose entry was refused', async () => {
    const refused = await refuseAudit(env, ['plan.save']);
    await expect(plans.save(duty, 'flood', 'III', plan)).rejects.toThrow(/audit refused/);
    expect(await plans.versions(duty, 'flood', 'III')).toEqual([]);
    await refused.allow();
    expect((await plans.save(duty, 'flood', 'III', plan)).version).toBe(1);
    expect(await count('plan.save')).toBe(1);
  });

  it('keeps no response, tick or tasks-sent mark whose entry was refused', async () => {
    await plans.save(duty, 'flood', 'III', plan);
    const starts = await refuseAudit(env, ['response.start']);
    await expect(responses.start(duty, incidentId, 'III')).rejects.toThrow(/audit refused/);
    expect(await store.plans.responses(incidentId)).toEqual([]);
    await starts.allow();

    const state = await responses.start(duty, incidentId, 'III');
    const item = state.current?.checklist[0];
    if (!item) throw new Error('no checklist item');
    const refused = await refuseAudit(env, ['checklist.done', 'response.tasks']);
    await expect(responses.tick(duty, item.id)).rejects.toThrow(/audit refused/);
    expect((await store.plans.item(item.id))?.doneAt).toBeNull();
    await expect(responses.sendTasks(duty, incidentId)).rejects.toThrow(/audit refused/);
    expect((await responses.state(duty, incidentId)).current?.tasksSentAt).toBeNull();
    expect(await store.tasks.list()).toEqual([]);

    await refused.allow();
    expect((await responses.tick(duty, item.id)).doneAt).not.toBeNull();
    expect(await responses.sendTasks(duty, incidentId)).toHaveLength(1);
    expect([await count('checklist.done'), await count('response.tasks')]).toEqual([1, 1]);
    const sent = (await store.audit.list({ limit: 1000 })).find((e) => e.action === 'response.tasks');
    expect(sent?.detail).toMatchObject({ tasks: 1 });
  });
});
