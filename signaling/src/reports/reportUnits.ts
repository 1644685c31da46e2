/** The unit a report is for: a township (with its seat as the default location) or a department. */
import { BeaconError } from '@beacon/protocol';
import type { Store } from '../store/index.ts';
import type { ReportActor } from './ReportDesk.ts';

export interface ReportUnit {
  kind: 'township' | 'department';
  id: string;
  name: string;
  /** The township's seat [lat, lon]; a department has none, so its reports must give a location. */
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
    if (department?.enabled) return { ...unit, name: department.name, seat: null };
  }
  throw new BeaconError('report_invalid', `未知或已停用的单位 / unknown or disabled ${unit.kind}`);
}
