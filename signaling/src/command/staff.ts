/**
 * Who runs the command room: the city side. Townships and departments read what is addressed to them and
 * acknowledge.
 */

import type { Addressee, Role } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { ACCOUNT_PERMISSIONS } from '../rooms/permissions.ts';
import type { Actor } from './CommandBus.ts';

export const COMMAND_STAFF: readonly Role[] = ACCOUNT_PERMISSIONS['command:run'];

export function isStaff(actor: Pick<Actor, 'role'>): boolean {
  return COMMAND_STAFF.includes(actor.role);
}

export function requireStaff(actor: Pick<Actor, 'role'>): void {
  if (!isStaff(actor)) {
    throw BeaconError.forbidden('只有市级值班人员可以操作 / only admin, chair or duty officer may do this');
  }
}

/**
 * The unit a township or department account acts for (what alerts and tasks are addressed to); every other
 * account is refused.
 */
export function requireUnit(actor: Pick<Actor, 'role' | 'townshipId' | 'departmentId'>): Addressee {
  if (actor.role === 'township' && actor.townshipId) return { kind: 'township', id: actor.townshipId };
  if (actor.role === 'department' && actor.departmentId) return { kind: 'department', id: actor.departmentId };
  throw BeaconError.forbidden('只有乡镇或部门账号可以签收 / only a township or department account acknowledges');
}

/** The unit of a township or department account, null for everyone else. */
export function unitOf(actor: Pick<Actor, 'role' | 'townshipId' | 'departmentId'>): Addressee | null {
  return actor.role === 'township' || actor.role === 'department' ? requireUnit(actor) : null;
}
