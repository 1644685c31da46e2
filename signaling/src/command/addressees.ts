/**
 * Departments as addressees of the command room (部门联动): what a duty officer picks by hand is checked
 * here, and names for timeline notes. Townships keep their own checks in each desk.
 */
import type { Addressee, IncidentView, WarningView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { Store } from '../store/index.ts';
import { unitOf } from './staff.ts';

/**
 * The ids once each, in the order given. An unknown or disabled department is `bad_request` naming it:
 * a disabled department is kept for history but addressed by no one.
 */
export async function enabledDepartmentIds(store: Store, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  for (const id of unique) {
    const department = await store.departments.get(id);
    if (!department) throw BeaconError.badRequest(`unknown department "${id}"`);
    if (!department.enabled)
      throw BeaconError.badRequest(`部门「${department.name}」已停用 / department "${id}" is disabled`);
  }
  return unique;
}

/** The township's or department's name (its id when it is gone). */
export async function addresseeName(store: Store, to: Addressee): Promise<string> {
  const unit = to.kind === 'township' ? await store.townships.get(to.id) : await store.departments.get(to.id);
  return unit?.name ?? to.id;
}

/** The addressee a task or ack board line names. */
export function addresseeOf(row: { townshipId: string | null; departmentId: string | null }): Addressee {
  return row.townshipId !== null
    ? { kind: 'township', id: row.townshipId }
    : { kind: 'department', id: row.departmentId as string };
}

export function sameAddressee(a: Addressee, b: Addressee): boolean {
  return a.kind === b.kind && a.id === b.id;
}

type Unit = Parameters<typeof unitOf>[0];

/** A township or department account reads a warning once issued to it; staff decide elsewhere. */
export function warningConcerns(actor: Unit, warning: WarningView): boolean {
  const own = unitOf(actor);
  if (!own || warning.status === 'draft') return false;
  return own.kind === 'township'
    ? warning.affectedTownshipIds.includes(own.id)
    : warning.departmentIds.includes(own.id);
}

/** A township reads the incidents in it, a department those it is involved in. */
export function incidentConcerns(actor: Unit, incident: IncidentView): boolean {
  const own = unitOf(actor);
  if (!own) return false;
  return own.kind === 'township' ? incident.townshipId === own.id : incident.departmentIds.includes(own.id);
}
