/** The command-room repositories on both backends: issue, acks, escalation rows, tasks, append-only audit. */

import type { WarningView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './index.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  const now = new Date().toISOString();
  const later = new Date(Date.now() + 3_600_000).toISOString();

  function draft(id: string, overrides: Partial<WarningView> = {}): WarningView {
    return {
      id,
      identifier: `beacon-${id}`,
      sender: 'test@beacon',
      event: '暴雨',
      colour: 'yellow',
      urgency: 'Expected',
      severity: 'Severe',
      certainty: 'Likely',
      headline: '暴雨黄色预警',
      description: '',
      instruction: '',
      area: { type: 'circle', center: [25.03, 101.57], radiusKm: 5 },
      areaDesc: '',
      effective: now,
      expires: later,
      status: 'draft',
      incidentId: null,
      affectedTownshipIds: ['lucheng', 'donggua'],
      escalationMinutes: 10,
      createdAt: now,
      createdBy: 'u-duty',
      issuedAt: null,
      issuedBy: null,
      ...overrides,
    };
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
      const first = await store.warnings.ack('w1', 'lucheng', {
        by: 'u-lucheng',
        byName: '鹿城镇',
        channel: 'terminal',
        at: now,
      });
      expect(first?.changed).toBe(true);
      expect(first?.row).toMatchObject({ ackedBy: 'u-lucheng', channel: 'terminal', deliveredAt: now });
      const second = await store.warnings.ack('w1', 'lucheng', {
        by: 'u-x',
        byName: 'x',
        channel: 'console',
        at: later,
      });
      expect(second).toEqual({ row: first?.row, changed: false });
      expect(
        await store.warnings.ack('w1', 'zixi', { by: 'u', byName: 'u', channel: 'terminal', at: now }),
      ).toBeUndefined();
      expect(await store.warnings.pendingFor('lucheng', now)).toEqual([]);
      expect((await store.warnings.pendingFor('donggua', now)).map((p) => p.warning.id)).toEqual(['w1']);
    });

    it('keeps a committed ack across closing and reopening the store', async () => {
      await store.warnings.create(draft('w1'));
      await store.warnings.issue('w1', 'u-duty', now);
      await store.warnings.ack('w1', 'donggua', { by: 'u-donggua', byName: '东瓜镇', channel: 'phone', at: now });
      await store.close();
      store = await env.open();
      expect(await store.warnings.delivery('w1', 'donggua')).toMatchObject({
        ackedBy: 'u-donggua',
        ackedByName: '东瓜镇',
        channel: 'phone',
        ackedAt: now,
      });
      expect(await store.warnings.pendingFor('donggua', now)).toEqual([]);
      expect((await store.warnings.pendingFor('lucheng', now)).map((p) => p.warning.id)).toEqual(['w1']);
    });

    it('lists unacked deliveries for escalation and counts re-notifications', async () => {
      await store.warnings.create(draft('w1'));
      await store.warnings.create(draft('w0', { escalationMinutes: 0 }));
      await store.warnings.issue('w1', 'u-duty', now);
      await store.warnings.issue('w0', 'u-duty', now);
      await store.warnings.ack('w1', 'lucheng', { by: 'u-lucheng', byName: '鹿城镇', channel: 'terminal', at: now });
      const due = await store.warnings.unackedEscalating(now);
      expect(due.map((d) => [d.warning.id, d.row.townshipId])).toEqual([['w1', 'donggua']]);
      const previous = due[0]?.row.lastNotifiedAt as string;
      expect(await store.warnings.renotify('w1', 'donggua', later, previous)).toMatchObject({
        notifyCount: 2,
        lastNotifiedAt: later,
      });
      // A second node with the same stale view loses the compare-and-set: one re-notification, not two.
      expect(await store.warnings.renotify('w1', 'donggua', later, previous)).toBeUndefined();
      // The failed attempt changed nothing: the next round counts 3.
      const latest = new Date(Date.parse(later) + 60_000).toISOString();
      expect(await store.warnings.renotify('w1', 'donggua', latest, later)).toMatchObject({ notifyCount: 3 });
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
