/**
 * The organisation's units: the deployment's area, townships (乡镇/街道),
 * villages and communities (村/社区), departments (部门). Administered rows
 * are disabled, never deleted: attendance, acks and the audit refer to them.
 */
import type { AreaView, DepartmentView, TownshipAdminView, VillageView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { assertFree, columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import type { AreaRepository, DepartmentRepository, TownshipRepository, VillageRepository } from './StoreTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

interface TownshipRow {
  id: string;
  name: string;
  name_en: string;
  kind: TownshipAdminView['kind'];
  lat: number;
  lon: number;
  approximate: number;
  code: string | null;
  enabled: number;
}
interface VillageRow {
  id: string;
  township_id: string;
  name: string;
  kind: VillageView['kind'];
  code: string | null;
  contact_name: string | null;
  contact_mobile: string | null;
  lat: number | null;
  lon: number | null;
  enabled: number;
}
interface DepartmentRow {
  id: string;
  name: string;
  short_name: string | null;
  duty_phone: string | null;
  enabled: number;
}
interface AreaRow {
  name: string;
  code: string;
  lat: number;
  lon: number;
  updated_at: string;
}

const toTownship = (r: TownshipRow): TownshipAdminView => ({
  id: r.id,
  name: r.name,
  nameEn: r.name_en,
  kind: r.kind,
  lat: r.lat,
  lon: r.lon,
  approximate: r.approximate === 1,
  code: r.code,
  enabled: r.enabled === 1,
});
const toVillage = (r: VillageRow): VillageView => ({
  id: r.id,
  townshipId: r.township_id,
  name: r.name,
  kind: r.kind,
  code: r.code,
  contactName: r.contact_name,
  contactMobile: r.contact_mobile,
  lat: r.lat,
  lon: r.lon,
  enabled: r.enabled === 1,
});
const toDepartment = (r: DepartmentRow): DepartmentView => ({
  id: r.id,
  name: r.name,
  shortName: r.short_name,
  dutyPhone: r.duty_phone,
  enabled: r.enabled === 1,
});
const toArea = (r: AreaRow): AreaView => ({
  name: r.name,
  code: r.code,
  lat: r.lat,
  lon: r.lon,
  updatedAt: r.updated_at,
});

const now = (): string => new Date().toISOString();
const enabledColumn = (enabled: boolean) => ({ enabled: enabled ? 1 : 0 });

const TOWNSHIP_CODE = { table: 'townships', column: 'code', field: 'code', label: '区划代码' };
const TOWNSHIP_COLUMNS = { name: 'name', nameEn: 'name_en', code: 'code', kind: 'kind', lat: 'lat', lon: 'lon' };

export function townshipRepository(db: SqlQueries): TownshipRepository {
  const spec = { table: 'townships', what: 'township', toView: toTownship };
  const get = async (id: string) => {
    const row = await db.get<TownshipRow>('SELECT * FROM townships WHERE id = ?', [id]);
    return row && toTownship(row);
  };
  return {
    list: async () => (await db.all<TownshipRow>('SELECT * FROM townships ORDER BY rowid')).map(toTownship),
    get,
    page: async (query) => {
      const page = await pageRows<TownshipRow>(
        db,
        { from: 'townships', search: ['name', 'name_en', 'code', 'id'], orderBy: 'rowid' },
        query,
      );
      return { total: page.total, items: page.items.map(toTownship) };
    },
    create: async (input) => {
      try {
        await db.transaction(async (tx) => {
          await assertFree(tx, TOWNSHIP_CODE, input.code);
          // Coordinates an admin types are the seat's, not the demo's rough placement.
          await tx.run(
            `INSERT INTO townships (id, name, name_en, kind, lat, lon, approximate, code, enabled)
             VALUES (?, ?, ?, ?, ?, ?, 0, ?, 1)`,
            [input.id, input.name, input.nameEn, input.kind, input.lat, input.lon, input.code],
          );
        });
      } catch (err) {
        rethrowConstraint(err, 'code', 'township');
      }
      return (await get(input.id)) as TownshipAdminView;
    },
    update: (id, patch) =>
      updateRow(db, spec, id, columnsOf(patch, TOWNSHIP_COLUMNS), (tx) =>
        assertFree(tx, TOWNSHIP_CODE, patch.code, id),
      ).catch((err: unknown) => rethrowConstraint(err, 'code', 'township')),
    setEnabled: (id, enabled) => updateRow(db, spec, id, enabledColumn(enabled)),
  };
}

const VILLAGE_CODE = { table: 'villages', column: 'code', field: 'code', label: '区划代码' };
const VILLAGE_COLUMNS = {
  townshipId: 'township_id',
  name: 'name',
  kind: 'kind',
  code: 'code',
  contactName: 'contact_name',
  contactMobile: 'contact_mobile',
  lat: 'lat',
  lon: 'lon',
};

/** A village's name is unique within its township (two 新村 in different townships are common). */
async function assertNameFree(tx: SqlQueries, townshipId: string, name: string, exceptId?: string): Promise<void> {
  const row = await tx.get<{ id: string }>('SELECT id FROM villages WHERE township_id = ? AND name = ? AND id <> ?', [
    townshipId,
    name,
    exceptId ?? '',
  ]);
  if (row) {
    throw BeaconError.conflict('name', `该乡镇已有“${name}” / the township already has a village named "${name}"`);
  }
}

export function villageRepository(db: SqlQueries): VillageRepository {
  const spec = { table: 'villages', what: 'village', toView: toVillage };
  const get = async (id: string) => {
    const row = await db.get<VillageRow>('SELECT * FROM villages WHERE id = ?', [id]);
    return row && toVillage(row);
  };
  return {
    get,
    listByTownship: async (townshipId) =>
      (await db.all<VillageRow>('SELECT * FROM villages WHERE township_id = ? ORDER BY rowid', [townshipId])).map(
        toVillage,
      ),
    page: async (query) => {
      const page = await pageRows<VillageRow>(
        db,
        { from: 'villages', search: ['name', 'code', 'contact_name', 'contact_mobile'], orderBy: 'rowid' },
        query,
      );
      return { total: page.total, items: page.items.map(toVillage) };
    },
    create: async (input) => {
      try {
        await db.transaction(async (tx) => {
          await assertFree(tx, VILLAGE_CODE, input.code);
          await assertNameFree(tx, input.townshipId, input.name);
          await tx.run(
            `INSERT INTO villages (id, township_id, name, kind, code, contact_name, contact_mobile, lat, lon, enabled,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
            [
              input.id,
              input.townshipId,
              input.name,
              input.kind,
              input.code,
              input.contactName,
              input.contactMobile,
              input.lat,
              input.lon,
              now(),
            ],
          );
        });
      } catch (err) {
        rethrowConstraint(err, 'code', 'village');
      }
      return (await get(input.id)) as VillageView;
    },
    update: (id, patch) =>
      updateRow(db, spec, id, columnsOf(patch, VILLAGE_COLUMNS), async (tx, before) => {
        await assertFree(tx, VILLAGE_CODE, patch.code, id);
        if (patch.name !== undefined || patch.townshipId !== undefined) {
          await assertNameFree(tx, patch.townshipId ?? before.townshipId, patch.name ?? before.name, id);
        }
      }).catch((err: unknown) => rethrowConstraint(err, 'code', 'village')),
    setEnabled: (id, enabled) => updateRow(db, spec, id, enabledColumn(enabled)),
  };
}

const DEPARTMENT_NAME = { table: 'departments', column: 'name', field: 'name', label: '部门名称' };
const DEPARTMENT_COLUMNS = { name: 'name', shortName: 'short_name', dutyPhone: 'duty_phone' };

export function departmentRepository(db: SqlQueries): DepartmentRepository {
  const spec = { table: 'departments', what: 'department', toView: toDepartment };
  const get = async (id: string) => {
    const row = await db.get<DepartmentRow>('SELECT * FROM departments WHERE id = ?', [id]);
    return row && toDepartment(row);
  };
  return {
    get,
    list: async () => (await db.all<DepartmentRow>('SELECT * FROM departments ORDER BY rowid')).map(toDepartment),
    page: async (query) => {
      const page = await pageRows<DepartmentRow>(
        db,
        { from: 'departments', search: ['name', 'short_name', 'duty_phone'], orderBy: 'rowid' },
        query,
      );
      return { total: page.total, items: page.items.map(toDepartment) };
    },
    create: async (input) => {
      try {
        await db.transaction(async (tx) => {
          await assertFree(tx, DEPARTMENT_NAME, input.name);
          await tx.run(
            'INSERT INTO departments (id, name, short_name, duty_phone, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)',
            [input.id, input.name, input.shortName, input.dutyPhone, now()],
          );
        });
      } catch (err) {
        rethrowConstraint(err, 'name', 'department');
      }
      return (await get(input.id)) as DepartmentView;
    },
    update: (id, patch) =>
      updateRow(db, spec, id, columnsOf(patch, DEPARTMENT_COLUMNS), (tx) =>
        assertFree(tx, DEPARTMENT_NAME, patch.name, id),
      ).catch((err: unknown) => rethrowConstraint(err, 'name', 'department')),
    setEnabled: (id, enabled) => updateRow(db, spec, id, enabledColumn(enabled)),
  };
}

export function areaRepository(db: SqlQueries): AreaRepository {
  const get = async () => {
    const row = await db.get<AreaRow>("SELECT * FROM area WHERE id = 'area'");
    return row && toArea(row);
  };
  return {
    get,
    set: (input) =>
      db.transaction(async (tx) => {
        const beforeRow = await tx.get<AreaRow>("SELECT * FROM area WHERE id = 'area'");
        await tx.run(
          `INSERT INTO area (id, name, code, lat, lon, updated_at) VALUES ('area', ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, code = excluded.code, lat = excluded.lat,
             lon = excluded.lon, updated_at = excluded.updated_at`,
          [input.name, input.code, input.lat, input.lon, now()],
        );
        const after = (await tx.get<AreaRow>("SELECT * FROM area WHERE id = 'area'")) as AreaRow;
        return { before: beforeRow && toArea(beforeRow), after: toArea(after) };
      }),
  };
}
