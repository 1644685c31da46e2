/**
 * Who besides staff may join a room (rooms/membership.ts decides with it): a
 * members-only room (`rooms.members_only`) admits its members — a pull room's
 * township, an emergency meeting's invited townships and departments. Kept in
 * the shared store so every signaling node, and a node restarted in the
 * middle of a meeting, admits the same accounts.
 */
import { BeaconError } from '@beacon/protocol';
import type { RoomAccess, RoomMember, RoomMemberRepository } from './StoreTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

interface MemberRow {
  room_id: string;
  kind: RoomMember['kind'];
  member_id: string;
}

export function roomMemberRepository(db: SqlQueries): RoomMemberRepository {
  return {
    get: async (roomId) => {
      const room = await db.get<{ members_only: number }>('SELECT members_only FROM rooms WHERE id = ?', [roomId]);
      const rows = await db.all<MemberRow>('SELECT * FROM room_members WHERE room_id = ? ORDER BY kind, member_id', [
        roomId,
      ]);
      return { membersOnly: room?.members_only === 1, members: rows.map((r) => ({ kind: r.kind, id: r.member_id })) };
    },
    restrict: async (roomId, members) => {
      await db.transaction(async (tx) => {
        const { changes } = await tx.run('UPDATE rooms SET members_only = 1 WHERE id = ?', [roomId]);
        if (changes === 0) throw BeaconError.notFound('room');
        for (const member of members) {
          await tx.run('INSERT INTO room_members (room_id, kind, member_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
            roomId,
            member.kind,
            member.id,
          ]);
        }
      });
    },
    listRestricted: async () => {
      const access = new Map<string, RoomAccess>();
      for (const { id } of await db.all<{ id: string }>('SELECT id FROM rooms WHERE members_only = 1')) {
        access.set(id, { membersOnly: true, members: [] });
      }
      for (const row of await db.all<MemberRow>('SELECT * FROM room_members ORDER BY room_id, kind, member_id')) {
        access.get(row.room_id)?.members.push({ kind: row.kind, id: row.member_id });
      }
      return access;
    },
  };
}
