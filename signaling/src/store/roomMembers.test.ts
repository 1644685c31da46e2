import { describe, expect, it } from 'vitest';
import { migrate, migrations } from './migrations.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  describe('room members', () => {
    it('makes a room members-only, adds members once, lists restricted rooms', async () => {
      const store = await env.open();
      await store.rooms.create({ id: 'emergency-1', title: '应急会商', kind: 'emergency', createdBy: null });
      await store.rooms.create({ id: 'emergency-2', title: '应急会商', kind: 'emergency', createdBy: null });
      expect(await store.roomMembers.get('emergency-1')).toEqual({ membersOnly: false, members: [] });
      await store.roomMembers.restrict('emergency-1', [
        { kind: 'township', id: 'lucheng' },
        { kind: 'department', id: 'dp-water' },
      ]);
      await store.roomMembers.restrict('emergency-1', [{ kind: 'township', id: 'lucheng' }]);
      await store.roomMembers.restrict('emergency-2', []);
      const one = {
        membersOnly: true,
        members: [
          { kind: 'department', id: 'dp-water' },
          { kind: 'township', id: 'lucheng' },
        ],
      };
      expect(await store.roomMembers.get('emergency-1')).toEqual(one);
      expect(await store.roomMembers.listRestricted()).toEqual(
        new Map([
          ['emergency-1', one],
          ['emergency-2', { membersOnly: true, members: [] }],
        ]),
      );
      // The seeded standing rooms stay open.
      expect((await store.roomMembers.listRestricted()).has('city-weekly')).toBe(false);
      await expect(store.roomMembers.restrict('no-such-room', [])).rejects.toMatchObject({ code: 'not_found' });
    });

    it("gives an older install's pull rooms their township and emergency rooms the townships they invited", async () => {
      const db = await env.connect();
      // The schema before room membership, with what the command room left in it.
      const before = migrations.findIndex(
        (m) => typeof m !== 'string' && m.sqlite.includes('CREATE TABLE room_members'),
      );
      expect(before).toBeGreaterThan(0);
      await migrate(db, migrations.slice(0, before));
      const at = new Date().toISOString();
      const rooms: [string, string][] = [
        ['pull-lucheng', 'meeting'],
        ['emergency-ab12', 'emergency'],
        ['city-weekly', 'meeting'],
      ];
      for (const [id, kind] of rooms) {
        await db.run('INSERT INTO rooms (id, title, kind, created_at) VALUES (?, ?, ?, ?)', [id, id, kind, at]);
      }
      await db.run('INSERT INTO audit (at, action, target, detail) VALUES (?, ?, ?, ?)', [
        at,
        'meeting.emergency',
        'emergency-ab12',
        JSON.stringify({ townshipIds: ['donggua', 'zixi'], dialled: [] }),
      ]);
      expect((await migrate(db))[0]).toBe(before + 1);
      const rows = await db.all<{ room_id: string; kind: string; member_id: string }>(
        'SELECT room_id, kind, member_id FROM room_members ORDER BY room_id, member_id',
      );
      expect(rows).toEqual([
        { room_id: 'emergency-ab12', kind: 'township', member_id: 'donggua' },
        { room_id: 'emergency-ab12', kind: 'township', member_id: 'zixi' },
        { room_id: 'pull-lucheng', kind: 'township', member_id: 'lucheng' },
      ]);
      const restricted = await db.all<{ id: string }>('SELECT id FROM rooms WHERE members_only = 1 ORDER BY id');
      expect(restricted.map((r) => r.id)).toEqual(['emergency-ab12', 'pull-lucheng']);
    });
  });
});
