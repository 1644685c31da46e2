/** The unit a report is for: a township (with its seat as the default location) or a department. */
import { BeaconError, type NewReport, type ReportChainView } from '@beacon/protocol';
import { isStaff } from '../command/staff.ts';
import type { Store } from '../store/index.ts';
import type { ReportActor } from './ReportDesk.ts';

export interface ReportUnit {
  kind: 'township' | 'department';
  id: string;
  name: string;
  /**
   * Where a report lies unless it says: the township's seat [lat, lon]; a department has no seat, so the deployment
   * area's centre (null until an admin sets the area: then its reports must give a location).
   */
  seat: [number, number] | null;
}

/** The township or department of a unit's account; `forbidden` for any other account. */
export function unitOfActor(actor: ReportActor): Pick<ReportUnit, 'kind' | 'id'> {
  if (actor.role === 'township' && actor.townshipId) return { kind: 'township', id: actor.townshipId };
  if (actor.role === 'department' && actor.departmentId) return { kind: 'department', id: actor.departmentId };
  throw BeaconError.forbidden(
    '只有乡镇、部门或值班人员可以报送 / only townships, departments and the duty desk report',
  );
}

/** The enabled unit, or `report_invalid`. */
export async function resolveUnit(store: Store, unit: Pick<ReportUnit, 'kind' | 'id'>): Promise<ReportUnit> {
  if (unit.kind === 'township') {
    const township = await store.townships.get(unit.id);
    if (township?.enabled) return { ...unit, name: township.name, seat: [township.lat, township.lon] };
  } else {
    const department = await store.departments.get(unit.id);
    const area = department?.enabled ? await store.area.get() : undefined;
    if (department?.enabled) return { ...unit, name: department.name, seat: area ? [area.lat, area.lon] : null };
  }
  throw new BeaconError('report_invalid', `未知或已停用的单位 / unknown or disabled ${unit.kind}`);
}

/**
 * The unit a new report is for: the township or department of a unit's account (naming another is `forbidden`),
 * or, for staff typing in a phone or fax report, the one unit they name (`report_invalid` otherwise).
 */
export async function unitForReport(store: Store, actor: ReportActor, input: NewReport): Promise<ReportUnit> {
  if (isStaff(actor)) {
    if (input.channel === 'terminal') {
      throw new BeaconError(
        'report_invalid',
        '值班员代录须注明来源（电话/其他）/ typed-in reports come by phone or other',
      );
    }
    if ((input.townshipId === null) === (input.departmentId === null)) {
      throw new BeaconError('report_invalid', '须指明一个乡镇或部门 / name exactly one township or department');
    }
    return resolveUnit(
      store,
      input.townshipId !== null
        ? { kind: 'township', id: input.townshipId }
        : { kind: 'department', id: input.departmentId as string },
    );
  }
  const own = unitOfActor(actor);
  const [mine, others] =
    own.kind === 'township' ? [input.townshipId, input.departmentId] : [input.departmentId, input.townshipId];
  if ((mine !== null && mine !== own.id) || others !== null) {
    throw BeaconError.forbidden('只能为本单位报送 / a unit reports only for itself');
  }
  return resolveUnit(store, own);
}

/** The account is the chain's own township or department. */
export function isOwnUnit(actor: ReportActor, chain: Pick<ReportChainView, 'unitKind' | 'unitId'>): boolean {
  if (chain.unitKind === 'township') return actor.role === 'township' && actor.townshipId === chain.unitId;
  return actor.role === 'department' && actor.departmentId === chain.unitId;
}

export function requireOwnUnit(actor: ReportActor, chain: Pick<ReportChainView, 'unitKind' | 'unitId'>): void {
  if (!isOwnUnit(actor, chain)) throw BeaconError.forbidden('只能为本单位报送 / a unit reports only for itself');
}

/** The departments, other than the reporting one, whose incident the chain is linked to (部门联动: they see it too). */
export async function involvedDepartments(
  store: Store,
  chain: Pick<ReportChainView, 'incidentId' | 'unitKind' | 'unitId'>,
): Promise<string[]> {
  if (!chain.incidentId) return [];
  const incident = await store.incidents.get(chain.incidentId);
  return (incident?.departmentIds ?? []).filter((id) => !(chain.unitKind === 'department' && chain.unitId === id));
}

/** The account is a department the chain's incident involves. */
export async function isInvolvedDepartment(
  store: Store,
  actor: ReportActor,
  chain: Pick<ReportChainView, 'incidentId' | 'unitKind' | 'unitId'>,
): Promise<boolean> {
  if (actor.role !== 'department' || !actor.departmentId) return false;
  return (await involvedDepartments(store, chain)).includes(actor.departmentId);
}

/** Where the actor's report lies unless it says: a township's seat, else the deployment area's centre. */
export async function defaultLocation(store: Store, actor: ReportActor): Promise<[number, number] | null> {
  if (!isStaff(actor)) return (await resolveUnit(store, unitOfActor(actor))).seat;
  const area = await store.area.get();
  return area ? [area.lat, area.lon] : null;
}
