/**
 * Who may join a room (and read its chat and meetings):
 *
 *   staff (admin, chair, duty officer)        every room;
 *   a members-only room                       its members: a township account whose
 *                                              township is one, a department account
 *                                              whose department is one — nobody else;
 *   any other room (the standing meeting      every signed-in account.
 *     rooms, the seeded emergency drill)
 *
 * A pull room is members-only with the pulled township as its member (the
 * duty desk's view of one terminal's camera); an emergency meeting with the
 * townships it was opened for, so one with none invited is for staff only.
 * Audience mode changes nothing here: a view-only join is a join. Phone
 * calls are admitted on the SIP side (who dialled them, or the PIN).
 */
import { BeaconError } from '@beacon/protocol';
import type { AuthClaims } from '../auth/tokens.ts';
import type { RoomAccess, RoomMember, RoomRecord, Store } from '../store/index.ts';
import { accountMay } from './permissions.ts';

type Account = Pick<AuthClaims, 'role' | 'townshipId' | 'departmentId' | 'device'>;

/** Open to everyone: a room that is not members-only (the standing meeting rooms). */
export const OPEN: RoomAccess = { membersOnly: false, members: [] };

export function mayJoin(access: RoomAccess, account: Account): boolean {
  if (accountMay(account.role, 'rooms:joinAny') || !access.membersOnly) return true;
  // A phone call's leg was let in on the SIP side: dialled by staff or a chair (any phone, into any meeting), or
  // dialling in with the room's PIN. Its township is who it is, not a ticket.
  if (account.device === 'phone') return true;
  const unit: RoomMember | null =
    account.role === 'township' && account.townshipId
      ? { kind: 'township', id: account.townshipId }
      : account.role === 'department' && account.departmentId
        ? { kind: 'department', id: account.departmentId }
        : null;
  return unit !== null && access.members.some((m) => m.kind === unit.kind && m.id === unit.id);
}

/** Throws `not_a_member` unless `account` may join `room`. */
export async function requireMember(
  store: Pick<Store, 'roomMembers'>,
  room: Pick<RoomRecord, 'id'>,
  account: Account,
): Promise<void> {
  if (mayJoin(await store.roomMembers.get(room.id), account)) return;
  throw new BeaconError('not_a_member', `您不是该会议的参会单位 / not a member of room "${room.id}"`);
}
