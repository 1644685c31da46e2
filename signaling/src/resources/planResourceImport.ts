/**
 * A resource workbook read into planned rows: each sheet bound to a kind
 * (救援队伍, 物资库, 避难场所, 专家), each row checked with the same zod
 * schemas the admin forms go through, units named by name or code, and
 * matched to an existing record by its key (a name, an expert's phone): a
 * create, an update or unchanged. Every refusal is reported with its sheet,
 * row and column; the caller writes nothing unless there is none.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  createDepotSchema,
  createExpertSchema,
  createShelterSchema,
  createTeamSchema,
  type ImportKindCounts,
  type ImportRowError,
  parseDepotItems,
  RESOURCE_KINDS,
  RESOURCE_SHEET_NAMES,
  type ResourceKind,
} from '@beacon/protocol';
import type { z } from 'zod';
import { type BoundSheet, ImportRow } from '../admin-import/ImportRow.ts';
import type { SheetTable } from '../admin-import/readWorkbook.ts';
import { UnitIndex } from '../admin-import/UnitIndex.ts';
import type { Store } from '../store/index.ts';
import { columnForHeader, kindOfSheet, RESOURCE_KEY_FIELD, TEAM_KIND_CHOICES } from './resourceColumns.ts';

export interface PlannedResource {
  kind: ResourceKind;
  action: 'create' | 'update' | 'unchanged';
  /** The existing record's id (update, unchanged). */
  id: string | null;
  /** The create input: every field, from the file or kept from the record. */
  input: Record<string, unknown>;
}

export interface ResourcePlan {
  rows: PlannedResource[];
  errors: ImportRowError[];
  counts: Record<ResourceKind, ImportKindCounts>;
}

const SCHEMAS: Record<ResourceKind, z.ZodType> = {
  teams: createTeamSchema,
  depots: createDepotSchema,
  shelters: createShelterSchema,
  experts: createExpertSchema,
};

/** Schema field → the column that fed it, for row errors. */
const FIELD_COLUMN: Record<string, string> = { townshipId: 'township', departmentId: 'department' };

type Existing = Record<string, unknown> & { id: string };

export async function planResourceImport(
  tables: readonly SheetTable[],
  store: Store,
  kindHint?: ResourceKind,
): Promise<ResourcePlan> {
  const errors: ImportRowError[] = [];
  const townships = new UnitIndex({ zh: '乡镇', en: 'township' });
  for (const t of await store.townships.list()) townships.add(t.id, [t.id, t.name, t.code], t.enabled);
  const departments = new UnitIndex({ zh: '部门', en: 'department' });
  for (const d of await store.departments.list()) departments.add(d.id, [d.id, d.name, d.shortName], d.enabled);
  const plan: ResourcePlan = {
    rows: [],
    errors,
    counts: Object.fromEntries(RESOURCE_KINDS.map((k) => [k, { create: 0, update: 0, unchanged: 0 }])) as Record<
      ResourceKind,
      ImportKindCounts
    >,
  };
  const seen = new Map<string, number>();

  for (const table of tables) {
    const sheet = bindSheet(table, kindHint, errors);
    if (!sheet) continue;
    const repo = store.resources[sheet.kind];
    const keyField = RESOURCE_KEY_FIELD[sheet.kind];
    for (const data of sheet.rows) {
      const row = new ImportRow(sheet, data, errors);
      const key = row.text(keyField);
      const existing = key ? ((await repo.findByKey(key)) as Existing | undefined) : undefined;
      const firstRow = seen.get(`${sheet.kind}\u0000${key}`);
      if (key && firstRow !== undefined) {
        row.fail(keyField, 'duplicate', `“${key}”与第 ${firstRow} 行重复 / duplicate of row ${firstRow}`);
        continue;
      }
      if (key) seen.set(`${sheet.kind}\u0000${key}`, row.row);
      const raw = readFields(sheet.kind, row, existing, { townships, departments });
      const parsed = SCHEMAS[sheet.kind].safeParse(raw);
      if (!parsed.success) row.failZod(parsed.error, FIELD_COLUMN);
      if (row.hasErrors || !parsed.success) continue;
      const input = parsed.data as Record<string, unknown>;
      const action = !existing ? 'create' : sameFields(input, existing) ? 'unchanged' : 'update';
      plan.counts[sheet.kind][action]++;
      plan.rows.push({ kind: sheet.kind, action, id: existing?.id ?? null, input });
    }
  }
  return plan;
}

function bindSheet(
  table: SheetTable,
  kindHint: ResourceKind | undefined,
  errors: ImportRowError[],
): BoundSheet<ResourceKind> | null {
  if (table.header.every((h) => h === '') && table.rows.length === 0) return null;
  const refuse = (column: string | null, code: ImportRowError['code'], message: string) =>
    errors.push({ sheet: table.name, row: 1, column, code, message });
  const kind = kindOfSheet(table.name, table.header) ?? kindHint;
  if (!kind) {
    const names = Object.values(RESOURCE_SHEET_NAMES).join('、');
    refuse(null, 'unknown_sheet', `无法识别工作表“${table.name}”，请命名为 ${names} / unknown sheet "${table.name}"`);
    return null;
  }
  const columns: BoundSheet['columns'] = new Map();
  table.header.forEach((header, index) => {
    if (header === '') return;
    const column = columnForHeader(kind, header);
    if (!column) refuse(header, 'unknown_column', `无法识别的列“${header}” / unknown column "${header}"`);
    else if (columns.has(column.field)) refuse(header, 'duplicate', `列“${header}”重复 / column "${header}" twice`);
    else if (!column.exportOnly) columns.set(column.field, { index, header });
  });
  const keyField = RESOURCE_KEY_FIELD[kind];
  if (!columns.has(keyField)) {
    const header = columnForHeader(kind, keyField)?.header ?? keyField;
    refuse(header, 'required', `缺少必需的列“${header}” / missing column "${header}"`);
    return null;
  }
  return { kind, name: table.name, columns, rows: table.rows };
}

interface Units {
  townships: UnitIndex;
  departments: UnitIndex;
}

/** The row's fields as the create schema takes them; a column the sheet lacks keeps the record's value. */
function readFields(kind: ResourceKind, row: ImportRow, existing: Existing | undefined, units: Units) {
  const keep = <T>(field: string, key: string, read: () => T) => row.valueOr(field, existing, key, read);
  const text = (field: string, key = field) => keep(field, key, () => row.optional(field) ?? undefined);
  const optionalText = (field: string, key = field) => keep(field, key, () => row.optional(field));
  const number = (field: string, key = field) => keep(field, key, () => row.number(field));
  const unit = (field: 'township' | 'department', key: string) =>
    keep(field, key, () => unitOf(row, field, units, existing?.[key] as string | null | undefined));
  const place = { lat: number('lat'), lon: number('lon') };
  switch (kind) {
    case 'teams':
      return {
        name: text('name'),
        kind: keep('kind', 'kind', () => row.choice('kind', TEAM_KIND_CHOICES)),
        headcount: number('headcount'),
        leaderName: optionalText('leaderName'),
        leaderPhone: optionalText('leaderPhone'),
        townshipId: unit('township', 'townshipId') ?? null,
        departmentId: unit('department', 'departmentId') ?? null,
        ...place,
      };
    case 'depots':
      return {
        name: text('name'),
        townshipId: unit('township', 'townshipId') ?? null,
        items: keep('items', 'items', () => itemsOf(row)),
        contactName: optionalText('contactName'),
        contactPhone: optionalText('contactPhone'),
        ...place,
      };
    case 'shelters':
      return {
        name: text('name'),
        townshipId: unit('township', 'townshipId') ?? null,
        address: optionalText('address'),
        capacity: number('capacity'),
        occupancy: number('occupancy'),
        contactName: optionalText('contactName'),
        contactPhone: optionalText('contactPhone'),
        ...place,
      };
    case 'experts':
      return { name: text('name'), field: text('field'), phone: text('phone'), unit: optionalText('unit') };
  }
}

/** A unit cell: its id, null when empty; an unknown or disabled unit (other than the current one) is an error. */
function unitOf(row: ImportRow, field: 'township' | 'department', units: Units, currentId?: string | null) {
  const cell = row.text(field);
  if (cell === '') return null;
  const found = (field === 'township' ? units.townships : units.departments).resolve(cell);
  if (!('id' in found)) {
    row.fail(field, found.code, found.message);
    return undefined;
  }
  if (!found.enabled && found.id !== currentId) {
    row.fail(field, 'unknown_ref', `“${cell}”已停用 / "${cell}" is disabled`);
    return undefined;
  }
  return found.id;
}

function itemsOf(row: ImportRow) {
  const parsed = parseDepotItems(row.text('items'));
  if ('bad' in parsed) {
    row.fail('items', 'invalid', `“${parsed.bad}”应写作 名称×数量单位 / write items as name×quantity unit`);
    return undefined;
  }
  return parsed.items;
}

/** Every input field as the record has it already (the import would change nothing). */
function sameFields(input: Record<string, unknown>, existing: Existing): boolean {
  return Object.entries(input).every(([key, value]) => isDeepStrictEqual(value, existing[key]));
}
