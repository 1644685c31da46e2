/**
 * The organisation as a file an admin edits in Excel and imports again:
 * one sheet per kind with the Chinese headers the import reads, choices in
 * Chinese (镇, 社区, 值班员), units by name (by code where two share a name).
 * XLSX holds any kinds; CSV one kind, UTF-8 with a BOM so Excel opens it as
 * UTF-8. Codes and numbers are written as text so leading digits survive.
 */
import { BeaconError, type ExportFormat, IMPORT_SHEET_NAMES, type ImportKind } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import { CHOICES, choiceLabel, IMPORT_COLUMNS } from './importColumns.ts';
import type { OrgSnapshot } from './importPlanTypes.ts';

type Cell = string | number;

const status = (enabled: boolean) => (enabled ? '启用' : '停用');

/** A unit's name in the file, or its code when another unit shares the name (the import resolves both). */
function unitNames(units: readonly { id: string; name: string; code?: string | null }[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const u of units) count.set(u.name, (count.get(u.name) ?? 0) + 1);
  return new Map(units.map((u) => [u.id, (count.get(u.name) ?? 0) > 1 && u.code ? u.code : u.name]));
}

/** Each kind's rows, cells in the order of IMPORT_COLUMNS without the import-only password. */
function rowsOf(kind: ImportKind, org: OrgSnapshot): Cell[][] {
  const township = unitNames(org.townships);
  const department = unitNames(org.departments);
  const unit = (names: Map<string, string>, id: string | null) => (id ? (names.get(id) ?? id) : '');
  const text = (value: string | number | null) => (value === null ? '' : value);
  switch (kind) {
    case 'townships':
      return org.townships.map((t) => [
        t.name,
        text(t.code),
        choiceLabel(CHOICES.townshipKind, t.kind),
        t.nameEn,
        t.lat,
        t.lon,
        status(t.enabled),
      ]);
    case 'villages':
      return org.villages.map((v) => [
        unit(township, v.townshipId),
        v.name,
        choiceLabel(CHOICES.villageKind, v.kind),
        text(v.code),
        text(v.contactName),
        text(v.contactMobile),
        text(v.lat),
        text(v.lon),
        status(v.enabled),
      ]);
    case 'departments':
      return org.departments.map((d) => [d.name, text(d.shortName), text(d.dutyPhone), status(d.enabled)]);
    case 'users':
      return org.users.map((u) => [
        u.username,
        u.displayName,
        choiceLabel(CHOICES.role, u.role),
        unit(township, u.townshipId),
        unit(department, u.departmentId),
        text(u.phone),
        status(u.enabled),
      ]);
    case 'terminals':
      return org.terminals
        .filter((t) => t.kind === 'video')
        .map((t) => [t.name, unit(township, t.townshipId), unit(department, t.departmentId), status(t.enabled)]);
    case 'phones':
      return org.terminals
        .filter((t) => t.kind === 'sip_phone')
        .map((t) => [
          text(t.extension),
          t.name,
          unit(township, t.townshipId),
          unit(department, t.departmentId),
          status(t.enabled),
        ]);
  }
}

function addSheet(workbook: ExcelJS.Workbook, kind: ImportKind, org: OrgSnapshot): void {
  const columns = IMPORT_COLUMNS[kind].filter((c) => c.field !== 'password');
  const sheet = workbook.addWorksheet(IMPORT_SHEET_NAMES[kind]);
  sheet.columns = columns.map((c) => ({ header: c.header, key: c.field, width: Math.max(10, c.header.length * 3) }));
  sheet.getRow(1).font = { bold: true };
  for (const cells of rowsOf(kind, org)) {
    // Strings stay strings: a code typed as a number in Excel would lose nothing, but 0878-… would.
    sheet.addRow(cells.map((c) => (typeof c === 'number' ? c : String(c))));
  }
  // Text format for the digit columns, so Excel keeps what an admin types there as text too.
  for (const [index, c] of columns.entries()) {
    if (['code', 'extension', 'phone', 'contactMobile', 'dutyPhone'].includes(c.field))
      sheet.getColumn(index + 1).numFmt = '@';
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function exportWorkbook(
  kinds: readonly ImportKind[],
  format: ExportFormat,
  org: OrgSnapshot,
): Promise<Buffer> {
  if (format === 'csv' && kinds.length !== 1) {
    throw BeaconError.badRequest('CSV 一次导出一类 / a CSV file holds one kind: give exactly one in kinds');
  }
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Beacon';
  for (const kind of kinds) addSheet(workbook, kind, org);
  if (format === 'csv') {
    const csv = Buffer.from(await workbook.csv.writeBuffer({ sheetName: IMPORT_SHEET_NAMES[kinds[0] as ImportKind] }));
    return Buffer.concat([UTF8_BOM, csv]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
