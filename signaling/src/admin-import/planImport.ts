/**
 * From the tables of a file to a plan: each sheet bound to a kind (by its
 * name, else by its headers), each header to a column, then the kinds
 * planned in order (units before the rows that refer to them) against the
 * organisation as it is now. Nothing is written here.
 */
import {
  IMPORT_KINDS,
  IMPORT_MAX_LISTED_CHANGES,
  IMPORT_SHEET_NAMES,
  type ImportKind,
  type ImportKindCounts,
  type ImportReport,
  type ImportRowError,
} from '@beacon/protocol';
import type { BoundSheet } from './ImportRow.ts';
import { columnForHeader, kindForHeaders, kindForSheetName } from './importColumns.ts';
import type { ImportPlan, OrgSnapshot, OrgStore } from './importPlanTypes.ts';
import { PlanContext } from './PlanContext.ts';
import { planPhones, planTerminals, planUsers } from './planPeople.ts';
import { planDepartments, planTownships, planVillages } from './planUnits.ts';
import type { SheetTable } from './readWorkbook.ts';

const PLANNERS: Record<ImportKind, (sheet: BoundSheet, ctx: PlanContext) => void> = {
  townships: planTownships,
  villages: planVillages,
  departments: planDepartments,
  users: planUsers,
  terminals: planTerminals,
  phones: planPhones,
};

/** The column a sheet of each kind cannot do without: what identifies its rows. */
const KEY_COLUMNS: Record<ImportKind, readonly string[]> = {
  townships: ['name'],
  villages: ['township', 'name'],
  departments: ['name'],
  users: ['username'],
  terminals: ['name'],
  phones: ['extension'],
};

/** One query after the other: inside a transaction they share one connection. */
export async function loadSnapshot(store: OrgStore): Promise<OrgSnapshot> {
  const townships = await store.townships.list();
  // Every village, disabled ones too: one page as large as the table.
  const villages = (await store.villages.page({ page: 1, pageSize: Number.MAX_SAFE_INTEGER })).items;
  const departments = await store.departments.list();
  const users = await store.users.list();
  const terminals = await store.terminals.list();
  return { townships, villages, departments, users, terminals };
}

/** `kindHint`: the kind of a one-table file whose name says none (`?kind=users`). */
export async function planImport(
  tables: readonly SheetTable[],
  store: OrgStore,
  kindHint?: ImportKind,
): Promise<ImportPlan> {
  const errors: ImportRowError[] = [];
  const sheets = tables.flatMap((table) => bindSheet(table, tables.length === 1 ? kindHint : undefined, errors));
  if (sheets.length === 0 && errors.length === 0) {
    errors.push({
      sheet: tables[0]?.name ?? '',
      row: 1,
      column: null,
      code: 'unknown_sheet',
      message: `文件中没有可导入的数据 / nothing to import (sheets: ${Object.values(IMPORT_SHEET_NAMES).join(', ')})`,
    });
  }
  const ctx = new PlanContext(await loadSnapshot(store));
  ctx.errors.push(...errors);
  for (const kind of IMPORT_KINDS) {
    for (const sheet of sheets.filter((s) => s.kind === kind)) PLANNERS[kind](sheet, ctx);
  }
  // In the file's order: sheet by sheet, row by row (a header problem first on its sheet).
  const order = new Map(tables.map((t, i) => [t.name, i]));
  const sorted = ctx.errors.sort((a, b) => (order.get(a.sheet) ?? 0) - (order.get(b.sheet) ?? 0) || a.row - b.row);
  return { rows: ctx.rows, errors: sorted, givenPasswords: ctx.givenPasswords };
}

function bindSheet(table: SheetTable, kindHint: ImportKind | undefined, errors: ImportRowError[]): BoundSheet[] {
  if (table.header.every((h) => h === '') && table.rows.length === 0) return [];
  const kind = kindForSheetName(table.name) ?? kindHint ?? kindForHeaders(table.header);
  const refuse = (column: string | null, code: ImportRowError['code'], message: string) =>
    errors.push({ sheet: table.name, row: 1, column, code, message });
  if (!kind) {
    const names = Object.values(IMPORT_SHEET_NAMES).join('、');
    refuse(null, 'unknown_sheet', `无法识别工作表“${table.name}”，请命名为 ${names} / unknown sheet "${table.name}"`);
    return [];
  }
  const columns: BoundSheet['columns'] = new Map();
  let ok = true;
  table.header.forEach((header, index) => {
    if (header === '') return;
    const column = columnForHeader(kind, header);
    if (!column) {
      ok = false;
      refuse(header, 'unknown_column', `无法识别的列“${header}” / unknown column "${header}"`);
    } else if (columns.has(column.field)) {
      ok = false;
      refuse(header, 'duplicate', `列“${header}”重复 / column "${header}" appears twice`);
    } else if (!column.exportOnly) {
      columns.set(column.field, { index, header });
    }
  });
  for (const field of KEY_COLUMNS[kind]) {
    if (columns.has(field)) continue;
    ok = false;
    const header = columnForHeader(kind, field)?.header ?? field;
    refuse(header, 'required', `缺少必需的列“${header}” / missing column "${header}"`);
  }
  return ok ? [{ kind, name: table.name, columns, rows: table.rows }] : [];
}

const emptyCounts = (): Record<ImportKind, ImportKindCounts> =>
  Object.fromEntries(IMPORT_KINDS.map((k) => [k, { create: 0, update: 0, unchanged: 0 }])) as Record<
    ImportKind,
    ImportKindCounts
  >;

/** What a dry run answers (and a commit, before the passwords are added). */
export function reportOf(plan: ImportPlan, file: string, committed: boolean): ImportReport {
  const counts = emptyCounts();
  for (const row of plan.rows) counts[row.kind][row.action]++;
  const changes = plan.rows
    .filter((r) => r.action !== 'unchanged')
    .slice(0, IMPORT_MAX_LISTED_CHANGES)
    .map((r) => ({
      kind: r.kind,
      sheet: r.sheet,
      row: r.row,
      action: r.action as 'create' | 'update',
      key: r.key,
      fields: r.action === 'update' ? r.fields : [],
    }));
  return { file, committed, counts, errors: plan.errors, changes, accounts: [], phones: [] };
}
