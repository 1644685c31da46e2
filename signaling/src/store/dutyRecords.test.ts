/** The duty repositories on both backends: roster slots, a month replaced at once, the log, handover moves. */
import type { HandoverContents } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './index.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

const codeOf = (err: unknown) => (err instanceof BeaconError ? err.code : String(err));

const contents = (assembledAt: string): HandoverContents => ({
  assembledAt,
  since: assembledAt,
  openIncidents: [],
  unackedWarnings: [],
  overdueTasks: [],
  log: [],
});

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  describe('roster', () => {
    it('sets a slot with its leader and officers in order, with their names and phones, and reads the month', async () => {
      const change = await store.duty.roster.set(
        { day: '2026-12-07', shift: 'day', leaderId: 'u-chair', officerIds: ['u-duty', 'u-admin'] },
        'u-admin',
      );
      expect(change.before).toBeNull();
      expect(change.after).toMatchObject({
        day: '2026-12-07',
        shift: 'day',
        leader: { userId: 'u-chair', displayName: '市领导', role: 'chair' },
        officers: [{ userId: 'u-duty', username: 'duty' }, { userId: 'u-admin' }],
        updatedBy: 'u-admin',
      });
      await store.duty.roster.set(
        { day: '2026-12-08', shift: 'night', leaderId: null, officerIds: ['u-duty'] },
        'u-duty',
      );
      await store.duty.roster.set({ day: '2027-01-01', shift: 'day', leaderId: 'u-chair', officerIds: [] }, 'u-duty');
      const month = await store.duty.roster.month('2026-12');
      expect(month.map((e) => [e.day, e.shift, e.officers.length])).toEqual([
        ['2026-12-07', 'day', 2],
        ['2026-12-08', 'night', 1],
      ]);
    });

    it('changes a slot (before and after) and clears it when nobody is left', async () => {
      const slot = { day: '2026-12-07', shift: 'day' };
      await store.duty.roster.set({ ...slot, leaderId: 'u-chair', officerIds: ['u-duty'] }, 'u-admin');
      const changed = await store.duty.roster.set({ ...slot, leaderId: 'u-chair', officerIds: ['u-admin'] }, 'u-admin');
      expect(changed.before?.officers.map((o) => o.userId)).toEqual(['u-duty']);
      expect(changed.after?.officers.map((o) => o.userId)).toEqual(['u-admin']);
      const cleared = await store.duty.roster.set({ ...slot, leaderId: null, officerIds: [] }, 'u-admin');
      expect(cleared.after).toBeNull();
      expect(await store.duty.roster.get('2026-12-07', 'day')).toBeUndefined();
    });

    it('refuses an unknown person or an officer listed twice and keeps the slot as it was', async () => {
      const slot = { day: '2026-12-07', shift: 'day' };
      await store.duty.roster.set({ ...slot, leaderId: 'u-chair', officerIds: ['u-duty'] }, 'u-admin');
      const unknown = await store.duty.roster
        .set({ ...slot, leaderId: 'u-chair', officerIds: ['u-nobody'] }, 'u-admin')
        .catch(codeOf);
      expect(unknown).toBe('bad_request');
      const twice = await store.duty.roster
        .set({ ...slot, leaderId: null, officerIds: ['u-admin', 'u-admin'] }, 'u-admin')
        .catch(codeOf);
      expect(twice).toBe('bad_request');
      expect((await store.duty.roster.get('2026-12-07', 'day'))?.officers.map((o) => o.userId)).toEqual(['u-duty']);
    });

    it('replaces a whole month in one go, or nothing when one slot is bad', async () => {
      await store.duty.roster.set({ day: '2026-12-01', shift: 'day', leaderId: 'u-chair', officerIds: [] }, 'u-admin');
      await store.duty.roster.set({ day: '2026-11-30', shift: 'day', leaderId: 'u-chair', officerIds: [] }, 'u-admin');
      const result = await store.duty.roster.replaceMonth(
        '2026-12',
        [
          { day: '2026-12-02', shift: 'day', leaderId: 'u-chair', officerIds: ['u-duty'] },
          { day: '2026-12-02', shift: 'night', leaderId: null, officerIds: ['u-admin'] },
        ],
        'u-admin',
      );
      expect(result).toEqual({ replaced: 1 });
      expect((await store.duty.roster.month('2026-12')).map((e) => `${e.day}/${e.shift}`)).toEqual([
        '2026-12-02/day',
        '2026-12-02/night',
      ]);
      const bad = await store.duty.roster
        .replaceMonth('2026-12', [{ day: '2026-12-03', shift: 'day', leaderId: 'u-ghost', officerIds: [] }], 'u-admin')
        .catch(codeOf);
      expect(bad).toBe('bad_request');
      expect(await store.duty.roster.month('2026-12')).toHaveLength(2);
      // Another month is never touched.
      expect(await store.duty.roster.get('2026-11-30', 'day')).toBeDefined();
    });

    it('offers enabled people of the given roles with their phones', async () => {
      const people = await store.duty.roster.people(['duty_officer', 'chair']);
      expect(people.map((p) => p.userId).sort()).toEqual(['u-chair', 'u-duty']);
    });
  });

  describe('duty log', () => {
    it('appends entries and reads them newest first, or since an instant oldest first', async () => {
      const first = await store.duty.log.append({
        authorId: 'u-duty',
        authorName: '值班员',
        category: 'general',
        text: '接班',
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await store.duty.log.append({
        authorId: 'u-duty',
        authorName: '值班员',
        category: 'call',
        text: '来电',
      });
      expect(first.id).toBeGreaterThan(0);
      expect((await store.duty.log.recent(10)).map((e) => e.text)).toEqual(['来电', '接班']);
      expect((await store.duty.log.since(second.at, 10)).map((e) => e.id)).toEqual([second.id]);
      const badCategory = await store.duty.log
        .append({ authorId: 'u-duty', authorName: 'x', category: 'gossip' as 'general', text: 'x' })
        .catch(() => 'refused');
      expect(badCategory).toBe('refused');
      expect(await store.duty.log.recent(10)).toHaveLength(2);
    });
  });

  describe('handovers', () => {
    const newHandover = (id: string) => ({
      id,
      day: '2026-12-07',
      shift: 'day',
      contents: contents(new Date().toISOString()),
      createdBy: 'u-duty',
      createdByName: '值班员',
    });

    it('moves draft → handed_over → accepted and refuses any other move', async () => {
      const created = await store.duty.handovers.create(newHandover('ho-1'));
      expect(created).toMatchObject({ status: 'draft', notes: '', handedOverAt: null });
      expect((await store.duty.handovers.open())?.id).toBe('ho-1');
      const early = await store.duty.handovers
        .accept('ho-1', { note: '', by: 'u-chair', byName: '市领导', at: new Date().toISOString() })
        .catch(codeOf);
      expect(early).toBe('invalid_transition');

      const at = new Date().toISOString();
      const handed = await store.duty.handovers.handOver('ho-1', {
        contents: contents(at),
        notes: '东瓜镇山体滑坡仍在处置',
        by: 'u-duty',
        byName: '值班员',
        at,
      });
      expect(handed.before.status).toBe('draft');
      expect(handed.after).toMatchObject({
        status: 'handed_over',
        notes: '东瓜镇山体滑坡仍在处置',
        handedOverBy: 'u-duty',
      });
      const twice = await store.duty.handovers
        .handOver('ho-1', { contents: contents(at), notes: '', by: 'u-duty', byName: '值班员', at })
        .catch(codeOf);
      expect(twice).toBe('invalid_transition');

      const accepted = await store.duty.handovers.accept('ho-1', {
        note: '已接班',
        by: 'u-chair',
        byName: '市领导',
        at: new Date().toISOString(),
      });
      expect(accepted.after).toMatchObject({ status: 'accepted', acceptedBy: 'u-chair', acceptNote: '已接班' });
      expect(await store.duty.handovers.open()).toBeUndefined();
      expect((await store.duty.handovers.lastAccepted())?.id).toBe('ho-1');
      expect(await store.duty.handovers.get('nope')).toBeUndefined();
      expect(
        await store.duty.handovers.accept('nope', { note: '', by: 'u-chair', byName: 'x', at }).catch(codeOf),
      ).toBe('not_found');
    });

    it('keeps at most one handover open at a time', async () => {
      await store.duty.handovers.create(newHandover('ho-1'));
      expect(await store.duty.handovers.create(newHandover('ho-2')).catch(codeOf)).toBe('invalid_state');
      expect(await store.duty.handovers.list(10)).toHaveLength(1);
    });
  });
});
