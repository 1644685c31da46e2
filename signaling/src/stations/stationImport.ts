/**
 * Stations from a spreadsheet (XLSX or CSV, read by the organisation import's reader, exceljs): one row per
 * station, the header in Chinese or English. A row whose id exists updates that station; a new id creates one
 * with its token. A dry run reports every row's action and errors; a commit writes all rows in one transaction,
 * or nothing when any row is refused (`committed: false`; the route answers import_invalid with the report). Tokens of new stations come back
 * once, in the commit's answer.
 *
 * Columns (header row; unknown columns are ignored, empty cells are "not set"):
 *   站点编号/id, 名称/name, 类型/kind (雨量站|水位站|位移监测站 or rain|water_level|displacement), 纬度/lat,
 *   经度/lon, 所在乡镇/township (name or id), 管理单位/owner (a township's or a department's name or id),
 *   上报间隔秒/interval, 预警半径公里/radius, 警戒水位/warning level, 保证水位/guaranteed level,
 *   rain thresholds `蓝色1小时`…`红色24小时` (or `blue h1`…`red h24`), value thresholds `蓝色`…`红色` (or `blue`…).
 */
import {
  type CreateStationRequest,
  createStationSchema,
  RAIN_WINDOWS,
  STATION_LEVELS,
  type StationImportReport,
  type StationImportRow,
  type StationKind,
} from '@beacon/protocol';
import type { AuditActor, AuditLine } from '../audit/auditedChange.ts';
import type { Store } from '../store/index.ts';
import { newStationToken } from './stationTokens.ts';

const KIND_NAMES: Record<string, StationKind> = {
  雨量站: 'rain',
  雨量: 'rain',
  rain: 'rain',
  水位站: 'water_level',
  水位: 'water_level',
  water_level: 'water_level',
  位移监测站: 'displacement',
  位移: 'displacement',
  displacement: 'displacement',
};
const LEVEL_NAMES: Record<string, (typeof STATION_LEVELS)[number]> = {
  蓝色: 'blue',
  黄色: 'yellow',
  橙色: 'orange',
  红色: 'red',
};
const WINDOW_NAMES: Record<string, (typeof RAIN_WINDOWS)[number]> = {
  '1小时': 'h1',
  '3小时': 'h3',
  '6小时': 'h6',
  '24小时': 'h24',
};
const COLUMNS: Record<string, string> = {
  站点编号: 'id',
  名称: 'name',
  类型: 'kind',
  纬度: 'lat',
  经度: 'lon',
  所在乡镇: 'township',
  管理单位: 'owner',
  上报间隔秒: 'interval',
  预警半径公里: 'radius',
  警戒水位: 'warning level',
  保证水位: 'guaranteed level',
};

/** A header cell as the key this reader uses: `id`, `kind`, `yellow h3`, `red`… */
export function columnKey(header: string): string {
  const h = header.trim().replace(/\s+/g, ' ');
  if (COLUMNS[h]) return COLUMNS[h];
  const zh = /^(蓝色|黄色|橙色|红色)(1小时|3小时|6小时|24小时)?$/.exec(h.replace(/\s/g, ''));
  if (zh) return [LEVEL_NAMES[zh[1] as string], zh[2] ? WINDOW_NAMES[zh[2]] : undefined].filter(Boolean).join(' ');
  return h.toLowerCase();
}

interface UnitNames {
  townships: Map<string, string>;
  departments: Map<string, string>;
}

/** One row's cells (by column key) as a create request, or the reasons it cannot be one. */
export function stationFromRow(
  cells: Record<string, string>,
  units: UnitNames,
): { input?: CreateStationRequest; errors: string[] } {
  const errors: string[] = [];
  const kind = KIND_NAMES[cells.kind ?? ''];
  if (!kind) errors.push(`类型“${cells.kind ?? ''}”无效 / unknown kind`);
  const num = (key: string) => (cells[key] ? Number(cells[key]) : undefined);
  const townshipId = units.townships.get(cells.township ?? '');
  if (!townshipId) errors.push(`乡镇“${cells.township ?? ''}”不存在 / unknown township`);
  const owner = cells.owner ?? '';
  const ownerTownshipId = units.townships.get(owner) ?? null;
  const ownerDepartmentId = ownerTownshipId ? null : (units.departments.get(owner) ?? null);
  if (owner && !ownerTownshipId && !ownerDepartmentId) errors.push(`管理单位“${owner}”不存在 / unknown owner`);
  const rain: Record<string, Record<string, number>> = {};
  const value: Record<string, number> = {};
  for (const level of STATION_LEVELS) {
    for (const w of RAIN_WINDOWS) {
      const v = num(`${level} ${w}`);
      if (v !== undefined) rain[level] = { ...rain[level], [w]: v };
    }
    const v = num(level);
    if (v !== undefined) value[level] = v;
  }
  if (errors.length > 0) return { errors };
  const parsed = createStationSchema.safeParse({
    id: cells.id,
    name: cells.name,
    kind,
    lat: num('lat'),
    lon: num('lon'),
    townshipId,
    // No owner given: the township it stands in owns it.
    ownerTownshipId: owner ? ownerTownshipId : townshipId,
    ownerDepartmentId: owner ? ownerDepartmentId : null,
    thresholds: kind === 'rain' ? { rain } : { value },
    warningLevel: num('warning level') ?? null,
    guaranteedLevel: num('guaranteed level') ?? null,
    intervalSeconds: num('interval'),
    alertRadiusKm: num('radius'),
  });
  if (!parsed.success) {
    return { errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`) };
  }
  return { input: parsed.data, errors: [] };
}

/** Plans (and with `commit`, writes) the rows of a read sheet; `audit`'s entry is written with them. */
export async function importStations(
  store: Store,
  table: { header: string[]; rows: { row: number; cells: string[] }[] },
  commit: boolean,
  audit?: { actor: AuditActor; entry: (rows: readonly StationImportRow[]) => AuditLine },
): Promise<StationImportReport> {
  const [townships, departments, existing] = await Promise.all([
    store.townships.list(),
    store.departments.list(),
    store.stations.list(),
  ]);
  const units: UnitNames = {
    townships: new Map(
      townships.filter((t) => t.enabled).flatMap((t) => [[t.id, t.id] as const, [t.name, t.id] as const]),
    ),
    departments: new Map(
      departments.filter((d) => d.enabled).flatMap((d) => [[d.id, d.id] as const, [d.name, d.id] as const]),
    ),
  };
  const known = new Set(existing.map((s) => s.id));
  const seen = new Set<string>();
  const keys = table.header.map(columnKey);
  const planned: { row: StationImportRow; input?: CreateStationRequest }[] = table.rows.map(({ row, cells }) => {
    const byKey = Object.fromEntries(keys.map((k, i) => [k, (cells[i] ?? '').trim()]).filter(([, v]) => v !== ''));
    const { input, errors } = stationFromRow(byKey, units);
    const id = input?.id ?? byKey.id ?? '';
    if (input && seen.has(id)) errors.push(`站点编号“${id}”重复 / id repeated in the file`);
    seen.add(id);
    const action = errors.length > 0 ? 'refused' : known.has(id) ? 'update' : 'create';
    return { row: { row, id, action, errors }, ...(input && errors.length === 0 ? { input } : {}) };
  });
  const report: StationImportReport = { rows: planned.map((p) => p.row), committed: false, tokens: [] };
  if (!commit) return report;
  // Any refused row: nothing is written (the caller answers import_invalid with this report).
  if (planned.some((p) => p.row.action === 'refused')) return report;
  const tokens: { id: string; token: string }[] = [];
  await store.transaction(async (tx) => {
    for (const { row, input } of planned) {
      if (!input) continue;
      if (row.action === 'update') {
        const { id, ...patch } = input;
        await tx.stations.update(id, patch);
      } else {
        const { token, secrets } = newStationToken();
        await tx.stations.create({ ...input, ...secrets });
        tokens.push({ id: input.id, token });
      }
    }
    if (audit) {
      await tx.audit.append({
        actorId: audit.actor.actorId,
        role: audit.actor.role ?? null,
        ...audit.entry(report.rows),
      });
    }
  });
  return { ...report, committed: true, tokens };
}
