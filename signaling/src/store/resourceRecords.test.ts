/** Emergency resources on both backends: create, unique names, items as JSON, a team deployed and back. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './index.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

const now = '2026-12-07T08:00:00.000Z';
const team = {
  id: 'tm-1',
  name: '紫溪镇应急分队',
  kind: 'militia' as const,
  headcount: 30,
  leaderName: '李强',
  leaderPhone: '13800000001',
  townshipId: 'zixi',
  departmentId: null,
  lat: 25.0,
  lon: 101.42,
};

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  describe('resources', () => {
    it('creates each kind, reads it back, refuses a taken name, and lists enabled ones by name', async () => {
      expect(await store.resources.teams.create(team)).toMatchObject({ ...team, status: 'available', dispatch: null });
      await expect(store.resources.teams.create({ ...team, id: 'tm-2' })).rejects.toMatchObject({
        code: 'conflict',
        field: 'name',
      });
      const items = [
        { name: '冲锋舟', quantity: 10, unit: '艘' },
        { name: '救生衣', quantity: 200, unit: '件' },
      ];
      const depot = await store.resources.depots.create({
        id: 'dpt-1',
        name: '市救灾物资储备库',
        townshipId: 'lucheng',
        lat: 25.04,
        lon: 101.54,
        items,
        contactName: null,
        contactPhone: null,
      });
      expect(depot.items).toEqual(items);
      const changed = await store.resources.depots.update('dpt-1', { items: [items[0] as (typeof items)[0]] });
      expect(changed.before.items).toHaveLength(2);
      expect(changed.after.items).toEqual([items[0]]);
      await store.resources.shelters.create({
        id: 'sh-1',
        name: '鹿城小学避难场所',
        townshipId: 'lucheng',
        address: null,
        lat: 25.05,
        lon: 101.55,
        capacity: 800,
        occupancy: 0,
        contactName: null,
        contactPhone: null,
      });
      await store.resources.experts.create({
        id: 'ex-1',
        name: '王工',
        field: '地质灾害',
        phone: '13900000002',
        unit: '州地质队',
      });
      await expect(
        store.resources.experts.create({ id: 'ex-2', name: '赵工', field: '防汛', phone: '13900000002', unit: null }),
      ).rejects.toMatchObject({ code: 'conflict', field: 'phone' });
      expect((await store.resources.experts.findByKey('13900000002'))?.name).toBe('王工');
      await store.resources.shelters.setEnabled('sh-1', false);
      expect(await store.resources.shelters.list({ enabled: true })).toEqual([]);
      expect((await store.resources.shelters.page({ q: '鹿城', page: 1, pageSize: 10 })).total).toBe(1);
    });

    it('refuses a team under an unknown township', async () => {
      await expect(store.resources.teams.create({ ...team, townshipId: 'nowhere' })).rejects.toMatchObject({
        code: 'bad_request',
      });
      expect(await store.resources.teams.list()).toEqual([]);
    });

    it('deploys a team on a task once, and brings it back when the task is done', async () => {
      await store.resources.teams.create(team);
      await store.incidents.create({
        id: 'i1',
        type: 'landslide',
        level: 'III',
        title: '滑坡',
        description: '',
        reporter: '',
        townshipId: 'zixi',
        location: [25.0, 101.43],
        status: 'reported',
        createdAt: now,
        createdBy: 'u-duty',
        updatedAt: now,
        departmentIds: [],
      });
      const task = {
        batchId: 'b1',
        townshipId: 'zixi',
        departmentId: null,
        text: '出动',
        deadline: now,
        incidentId: 'i1',
        status: 'sent' as const,
        note: null,
        createdAt: now,
        createdBy: 'u-duty',
        ackedAt: null,
        doneAt: null,
      };
      await store.tasks.createBatch([
        { ...task, id: 't1' },
        { ...task, id: 't2' },
      ]);
      const dispatch = { id: 'd1', teamId: 'tm-1', incidentId: 'i1', taskId: 't1', at: now, by: 'u-duty' };
      expect(await store.resources.teams.deploy(dispatch)).toMatchObject({
        status: 'deployed',
        dispatch: { taskId: 't1', incidentId: 'i1', at: now },
      });
      // A second officer dispatching the same team at once loses: the team is out already.
      await expect(store.resources.teams.deploy({ ...dispatch, id: 'd2', taskId: 't2' })).rejects.toMatchObject({
        code: 'invalid_transition',
      });
      expect(await store.resources.teams.returnByTask('t2', now)).toEqual([]);
      const back = await store.resources.teams.returnByTask('t1', now);
      expect(back.map((t) => [t.id, t.status, t.dispatch])).toEqual([['tm-1', 'returned', null]]);
      // Back from one job, it can be sent on the next at once.
      expect((await store.resources.teams.deploy({ ...dispatch, id: 'd2', taskId: 't2' })).status).toBe('deployed');
      expect((await store.resources.teams.setStatus('tm-1', 'deployed', 'returned', now)).status).toBe('returned');
      expect((await store.resources.teams.dispatches('i1')).map((d) => [d.teamName, d.taskId, d.returnedAt])).toEqual([
        ['紫溪镇应急分队', 't1', now],
        ['紫溪镇应急分队', 't2', now],
      ]);
      await expect(store.resources.teams.setStatus('tm-1', 'deployed', 'returned', now)).rejects.toMatchObject({
        code: 'invalid_transition',
      });
    });
  });
});
