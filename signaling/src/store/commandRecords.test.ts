/** The command-room repositories on both backends: issue, acks, escalation rows, tasks, append-only audit. */

import type { Addressee, WarningView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './index.ts';
import { sampleWarning } from './testing/sampleWarnings.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

const town = (id: string): Addressee => ({ kind: 'township', id });

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  const now = new Date().toISOString();
  const later = new Date(Date.now() + 3_600_000).toISOString();

  function draft(id: string, overrides: Partial<WarningView> = {}): WarningView {
    return sampleWarning(id, {
      colour: 'yellow',
      headline: '暴雨黄色预警',
      affectedTownshipIds: ['lucheng', 'donggua'],
      effective: now,
      expires: later,
      createdAt: now,
      ...overrides,
    });
  }

  describe('warnings', () => {
    it('issues once, with one delivery per township, and refuses a second issue', async () => {
      await store.warnings.create(draft('w1'));
      const board = await store.warnings.issue('w1', 'u-duty', now);
      expect(board.map((r) => [r.townshipId, r.notifyCount, r.ackedAt])).toEqual([
        ['lucheng', 1, null],
        ['donggua', 1, null],
      ]);
      expect(await store.warnings.get('w1')).toMatchObject({ status: 'issued', issuedBy: 'u-duty' });
      const again = await store.warnings.issue('w1', 'u-duty', now).catch((err: unknown) => err);
      expect(again).toBeInstanceOf(BeaconError);
      expect((again as BeaconError).code).toBe('invalid_transition');
      expect(await store.warnings.board('w1')).toHaveLength(2);
    });

    it('keeps the first ack: a second one changes nothing', async () => {
      await store.warnings.create(draft('w1'));
      await store.warnings.issue('w1', 'u-duty', now);
      const first = await store.warnings.ack('w1', town('lucheng'), {
        by: 'u-lucheng',
        byName: '鹿城镇',
        channel: 'terminal',
        at: now,
      });
      expect(first?.changed).toBe(true);
      expect(first?.row).toMatchObject({ ackedBy: 'u-lucheng', channel: 'terminal', deliveredAt: now });
      const second = await store.warnings.ack('w1', town('lucheng'), {
        by: 'u-x',
        byName: 'x',
        channel: 'console',
        at: later,
      });
      expect(second).toEqual({ row: first?.row, changed: false });
      expect(
        await store.warnings.ack('w1', town('zixi'), { by: 'u', byName: 'u', channel: 'terminal', at: now }),
      ).toBeUndefined();
      expect(await store.warnings.pendingFor(town('lucheng'), now)).toEqual([]);
      expect((await store.warnings.pendingFor(town('donggua'), now)).map((p) => p.warning.id)).toEqual(['w1']);
    });

    it('keeps a committed ack across closing and reopening the store', async () => {
      await store.warnings.create(draft('w1'));
      await store.warnings.issue('w1', 'u-duty', now);
      await store.warnings.ack('w1', town('donggua'), { by: 'u-donggua', byName: '东瓜镇', channel: 'phone', at: now });
      await store.close();
      store = await env.open();
      expect(await store.warnings.delivery('w1', town('donggua'))).toMatchObject({
        ackedBy: 'u-donggua',
        ackedByName: '东瓜镇',
        channel: 'phone',
        ackedAt: now,
      });
      expect(await store.warnings.pendingFor(town('donggua'), now)).toEqual([]);
      expect((await store.warnings.pendingFor(town('lucheng'), now)).map((p) => p.warning.id)).toEqual(['w1']);
    });

    it('lists unacked deliveries for escalation and counts re-notifications', async () => {
      await store.warnings.create(draft('w1'));
      await store.warnings.create(draft('w0', { escalationMinutes: 0 }));
      await store.warnings.issue('w1', 'u-duty', now);
      await store.warnings.issue('w0', 'u-duty', now);
      await store.warnings.ack('w1', town('lucheng'), {
        by: 'u-lucheng',
        byName: '鹿城镇',
        channel: 'terminal',
        at: now,
      });
      const due = await store.warnings.unackedEscalating(now);
      expect(due.map((d) => [d.warning.id, d.row.townshipId])).toEqual([['w1', 'donggua']]);
      const previous = due[0]?.row.lastNotifiedAt as string;
      expect(await store.warnings.renotify('w1', town('donggua'), later, previous)).toMatchObject({
        notifyCount: 2,
        lastNotifiedAt: later,
      });
      // A second node with the same stale view loses the compare-and-set: one re-notification, not two.
      expect(await store.warnings.renotify('w1', town('donggua'), later, previous)).toBeUndefined();
      // The failed attempt changed nothing: the next round counts 3.
      const latest = new Date(Date.parse(later) + 60_000).toISOString();
      expect(await store.warnings.renotify('w1', town('donggua'), latest, later)).toMatchObject({ notifyCount: 3 });
      // Expired warnings are not escalated.
      expect(await store.warnings.unackedEscalating(new Date(Date.now() + 7_200_000).toISOString())).toEqual([]);
    });
  });

  describe('tasks', () => {
    it('acknowledges then completes, computing overdue at read time', async () => {
      const past = new Date(Date.now() - 1000).toISOString();
      const [task] = await store.tasks.createBatch([
        {
          id: 't1',
          batchId: 'b1',
          townshipId: 'zixi',
          departmentId: null,
          text: '巡查',
          deadline: past,
          incidentId: null,
          status: 'sent',
          note: null,
          createdAt: now,
          createdBy: 'u-duty',
          ackedAt: null,
          doneAt: null,
        },
      ]);
      expect(task).toMatchObject({ status: 'sent', overdue: true });
      expect(await store.tasks.ack('t1', now)).toMatchObject({ status: 'acknowledged', ackedAt: now });
      expect(await store.tasks.done('t1', '完成', later)).toMatchObject({
        status: 'done',
        note: '完成',
        overdue: false,
      });
      expect(await store.tasks.list({ townshipId: 'lucheng' })).toEqual([]);
      expect((await store.tasks.list({ townshipId: 'zixi' })).map((t) => t.id)).toEqual(['t1']);
    });
  });

  describe('departments (部门联动)', () => {
    it('delivers a warning to its departments beside its townships, each acked on its own line', async () => {
      await store.warnings.create(draft('w1', { departmentIds: ['dp-sw'] }));
      expect((await store.warnings.get('w1'))?.departmentIds).toEqual(['dp-sw']);
      const board = await store.warnings.issue('w1', 'u-duty', now);
      expect(board.map((r) => [r.townshipId, r.departmentId])).toEqual([
        ['lucheng', null],
        ['donggua', null],
        [null, 'dp-sw'],
      ]);
      const water: Addressee = { kind: 'department', id: 'dp-sw' };
      expect((await store.warnings.pendingFor(water, now)).map((p) => p.warning.id)).toEqual(['w1']);
      const acked = await store.warnings.ack('w1', water, {
        by: 'u-sw',
        byName: '水务局',
        channel: 'terminal',
        at: now,
      });
      expect(acked?.row).toMatchObject({ departmentId: 'dp-sw', townshipId: null, ackedBy: 'u-sw' });
      expect(await store.warnings.pendingFor(water, now)).toEqual([]);
      // A department the warning was not addressed to has no line; the townships' lines are untouched.
      expect(await store.warnings.delivery('w1', { kind: 'department', id: 'dp-ga' })).toBeUndefined();
      expect((await store.warnings.delivery('w1', town('lucheng')))?.ackedAt).toBeNull();
    });

    it('addresses a task to a department and lists it by department only', async () => {
      await store.tasks.createBatch([
        {
          id: 't1',
          batchId: 'b1',
          townshipId: null,
          departmentId: 'dp-sw',
          text: '水库巡查',
          deadline: later,
          incidentId: null,
          status: 'sent',
          note: null,
          createdAt: now,
          createdBy: 'u-duty',
          ackedAt: null,
          doneAt: null,
        },
      ]);
      expect((await store.tasks.list({ departmentId: 'dp-sw' })).map((t) => [t.id, t.townshipId])).toEqual([
        ['t1', null],
      ]);
      expect(await store.tasks.list({ departmentId: 'dp-ga' })).toEqual([]);
      expect(await store.tasks.list({ townshipId: 'zixi' })).toEqual([]);
    });

    it('refuses a task addressed to nobody or to both, and an unknown department', async () => {
      const base = {
        batchId: 'b',
        text: 'x',
        deadline: later,
        incidentId: null,
        status: 'sent' as const,
        note: null,
        createdAt: now,
        createdBy: 'u-duty',
        ackedAt: null,
        doneAt: null,
      };
      await expect(
        store.tasks.createBatch([{ ...base, id: 'both', townshipId: 'zixi', departmentId: 'dp-sw' }]),
      ).rejects.toThrow();
      await expect(
        store.tasks.createBatch([{ ...base, id: 'none', townshipId: null, departmentId: null }]),
      ).rejects.toThrow();
      await expect(
        store.tasks.createBatch([{ ...base, id: 'gone', townshipId: null, departmentId: 'dp-nope' }]),
      ).rejects.toMatchObject({ code: 'bad_request' });
      expect(await store.tasks.list()).toEqual([]);
    });

    it('keeps the departments an incident involves, and lists by department', async () => {
      const incident = {
        id: 'i1',
        type: 'flood' as const,
        level: 'III' as const,
        title: '洪水',
        description: '',
        reporter: '',
        townshipId: 'lucheng',
        location: [25.03, 101.54] as [number, number],
        status: 'reported' as const,
        createdAt: now,
        createdBy: 'u-duty',
        updatedAt: now,
        departmentIds: ['dp-sw', 'dp-ga'],
      };
      await store.incidents.create(incident);
      expect((await store.incidents.get('i1'))?.departmentIds).toEqual(['dp-sw', 'dp-ga']);
      expect((await store.incidents.list({ departmentId: 'dp-ga' })).map((i) => i.id)).toEqual(['i1']);
      await store.incidents.setDepartments('i1', ['dp-qx'], later);
      expect(await store.incidents.get('i1')).toMatchObject({ departmentIds: ['dp-qx'], updatedAt: later });
      expect(await store.incidents.list({ departmentId: 'dp-ga' })).toEqual([]);
      await expect(store.incidents.setDepartments('i1', ['dp-nope'], later)).rejects.toMatchObject({
        code: 'bad_request',
      });
      expect((await store.incidents.get('i1'))?.departmentIds).toEqual(['dp-qx']);
    });
  });

  describe('audit', () => {
    it('is append-only in the database itself', async () => {
      await store.audit.append({ actorId: 'u-admin', role: 'admin', action: 'test', target: null });
      const db = await env.connect();
      await expect(db.run("UPDATE audit SET action = 'edited'")).rejects.toThrow(/append-only/);
      await expect(db.run('DELETE FROM audit')).rejects.toThrow(/append-only/);
      expect((await store.audit.list())[0]).toMatchObject({ action: 'test', role: 'admin' });
    });
  });
});
