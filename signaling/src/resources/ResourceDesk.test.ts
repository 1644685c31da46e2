/**
 * The resource desk on a real store (both backends): the nearest teams to an incident first, a team dispatched
 * as a task to its own unit and deployed, back when that unit reports the task done; refusals change nothing.
 */
import { beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import { TaskDesk } from '../command/TaskDesk.ts';
import { actor, codeOf } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { ResourceDesk } from './ResourceDesk.ts';

const duty = actor('u-duty', 'duty_officer');
const zixi = actor('u-zixi', 'township', { townshipId: 'zixi' });
const yjj = actor('u-yjj', 'department', { departmentId: 'dp-yjj' });

const team = (
  id: string,
  name: string,
  lat: number,
  lon: number,
  unit: { townshipId?: string; departmentId?: string },
) => ({
  id,
  name,
  kind: 'militia' as const,
  headcount: 20,
  leaderName: null,
  leaderPhone: null,
  townshipId: unit.townshipId ?? null,
  departmentId: unit.departmentId ?? null,
  lat,
  lon,
});

describeStoreBackends((env) => {
  let store: Store;
  let desk: ResourceDesk;
  let tasks: TaskDesk;
  let incidentId: string;

  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    tasks = new TaskDesk(bus);
    desk = new ResourceDesk({ bus, tasks });
    // Created in an order that is not the distance order from the incident at 紫溪镇.
    await store.resources.teams.create(team('tm-city', '市消防救援大队', 25.04, 101.55, { departmentId: 'dp-yjj' }));
    await store.resources.teams.create(team('tm-far', '西舍路镇应急分队', 24.55, 101.38, { townshipId: 'xishelu' }));
    await store.resources.teams.create(team('tm-zixi', '紫溪镇应急分队', 25.01, 101.43, { townshipId: 'zixi' }));
    await store.resources.shelters.create({
      id: 'sh-1',
      name: '紫溪小学',
      townshipId: 'zixi',
      address: null,
      lat: 25.0,
      lon: 101.41,
      capacity: 300,
      occupancy: 0,
      contactName: null,
      contactPhone: null,
    });
    const incident = await new IncidentDesk(bus).create(duty, {
      type: 'landslide',
      level: 'III',
      title: '紫溪镇山体滑坡',
      description: '',
      reporter: '',
      townshipId: 'zixi',
      location: [25.0, 101.42],
      departmentIds: [],
    });
    incidentId = incident.id;
  });

  it('lists the nearest teams first, with their distance', async () => {
    const found = await desk.nearest(duty, incidentId, 2);
    expect(found.teams.map((t) => t.id)).toEqual(['tm-zixi', 'tm-city']);
    expect(found.teams[0]?.distanceKm).toBeLessThan(2);
    expect(found.shelters.map((s) => s.id)).toEqual(['sh-1']);
    expect(found.depots).toEqual([]);
    expect(await codeOf(desk.nearest(zixi, incidentId, 5))).toBe('forbidden');
  });

  it('dispatches a team as a task to its unit: deployed, then returned when the unit reports the task done', async () => {
    const { team: sent, task } = await desk.dispatch(duty, 'tm-city', { incidentId });
    expect(sent).toMatchObject({ status: 'deployed', dispatch: { taskId: task.id, incidentId } });
    expect(task).toMatchObject({ departmentId: 'dp-yjj', townshipId: null, incidentId, status: 'sent' });
    expect(task.text).toContain('市消防救援大队');
    // The department sees it on its own page and acknowledges it like any task.
    expect((await tasks.list(yjj, {})).map((t) => t.id)).toEqual([task.id]);
    await tasks.ack(yjj, task.id);
    expect((await store.resources.teams.get('tm-city'))?.status).toBe('deployed');
    // Sent again while out: refused, and no second task.
    expect(await codeOf(desk.dispatch(duty, 'tm-city', { incidentId }))).toBe('invalid_transition');
    expect(await store.tasks.list({ incidentId })).toHaveLength(1);

    const back = new Promise((resolve) => desk.once('team', resolve));
    await tasks.done(yjj, task.id, '已处置');
    expect(await back).toMatchObject({ id: 'tm-city', status: 'returned', dispatch: null });
    const timeline = await store.incidents.timeline(incidentId);
    expect(timeline.map((e) => e.text)).toContain('市消防救援大队 已返回');
    expect((await desk.setStatus(duty, 'tm-city', 'available')).status).toBe('available');
    expect((await store.audit.list()).map((a) => a.action)).toEqual(
      expect.arrayContaining(['team.dispatch', 'team.status']),
    );
  });

  it('refuses a township dispatching, an unknown incident, and an illegal status move: nothing changes', async () => {
    expect(await codeOf(desk.dispatch(zixi, 'tm-zixi', { incidentId }))).toBe('forbidden');
    expect(await codeOf(desk.dispatch(duty, 'tm-zixi', { incidentId: 'nope' }))).toBe('bad_request');
    expect(await codeOf(desk.dispatch(duty, 'tm-nope', { incidentId }))).toBe('not_found');
    expect(await codeOf(desk.setStatus(duty, 'tm-zixi', 'returned'))).toBe('invalid_transition');
    expect(await codeOf(desk.setStatus(duty, 'tm-zixi', 'deployed'))).toBe('bad_request');
    await store.resources.teams.setEnabled('tm-zixi', false);
    expect(await codeOf(desk.dispatch(duty, 'tm-zixi', { incidentId }))).toBe('bad_request');
    expect(await store.tasks.list({ incidentId })).toEqual([]);
    expect((await store.resources.teams.get('tm-zixi'))?.status).toBe('available');
  });
});
