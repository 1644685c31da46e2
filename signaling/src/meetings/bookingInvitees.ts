/**
 * What a booking names, checked against the organisation before anything is
 * stored: every invitee exists and is enabled (else `invitee_unavailable`,
 * naming it), the chair is an enabled city account, a standing room exists.
 */
import { BeaconError, type InviteeInput } from '@beacon/protocol';
import { isStaff } from '../command/staff.ts';
import type { NewInvitee } from '../store/bookingTypes.ts';
import type { Store } from '../store/index.ts';
import type { RoomRecord, UserRecord } from '../store/StoreTypes.ts';
import { bookingInvalid } from './bookingRules.ts';

function unavailable(index: number, invitee: InviteeInput): BeaconError {
  const err = new BeaconError(
    'invitee_unavailable',
    `参会方 ${invitee.kind}:${invitee.id} 不存在或已停用 / invitee ${invitee.kind}:${invitee.id} is unknown or disabled`,
  );
  err.field = `invitees.${index}`;
  return err;
}

async function nameOf(store: Store, invitee: InviteeInput): Promise<string | null> {
  switch (invitee.kind) {
    case 'township': {
      const township = await store.townships.get(invitee.id);
      return township?.enabled ? township.name : null;
    }
    case 'department': {
      const department = await store.departments.get(invitee.id);
      return department?.enabled ? department.name : null;
    }
    case 'user': {
      const user = await store.users.findById(invitee.id);
      return user?.enabled && user.role !== 'service' ? user.displayName : null;
    }
    case 'phone': {
      const phone = await store.terminals.findPhoneByExtension(invitee.id);
      return phone ? `${phone.name}（${invitee.id}）` : null;
    }
  }
}

/** The invitees with their names, duplicates removed, in the order given. */
export async function resolveInvitees(store: Store, invitees: readonly InviteeInput[]): Promise<NewInvitee[]> {
  const seen = new Set<string>();
  const resolved: NewInvitee[] = [];
  for (const [index, invitee] of invitees.entries()) {
    const key = `${invitee.kind}:${invitee.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const name = await nameOf(store, invitee);
    if (name === null) throw unavailable(index, invitee);
    resolved.push({ kind: invitee.kind, refId: invitee.id, name });
  }
  return resolved;
}

/** The chair: an enabled city account (its console opens the room). */
export async function resolveChair(store: Store, chairId: string): Promise<UserRecord> {
  const chair = await store.users.findById(chairId);
  if (!chair?.enabled || !isStaff(chair)) {
    throw bookingInvalid('chairId', '主持人须为启用的市级账号 / the chair must be an enabled city account');
  }
  return chair;
}

/** A standing room that exists and is enabled. */
export async function resolveRoom(store: Store, roomId: string): Promise<RoomRecord> {
  const room = await store.rooms.get(roomId);
  if (!room?.enabled) throw bookingInvalid('roomId', '会议室不存在或已停用 / the room is unknown or disabled');
  return room;
}
