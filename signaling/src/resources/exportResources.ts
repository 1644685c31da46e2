/**
 * The resources as the workbook an admin edits in Excel and imports again
 * (also the template: an empty deployment exports the four sheets with their
 * headers only). Headers, choices (消防救援, 民兵应急…) and the items
 * notation are the import's own; units by name, or by id where two share a
 * name (the import reads both).
 */
import { formatDepotItems, RESOURCE_KINDS, RESOURCE_SHEET_NAMES, type ResourceKind } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import { choiceLabel } from '../admin-import/importColumns.ts';
import type { Store } from '../store/index.ts';
import { RESOURCE_COLUMNS, TEAM_KIND_CHOICES } from './resourceColumns.ts';

type Cell = string | number;

const TEAM_STATUS_LABELS = { available: '待命', deployed: '出动中', returned: '已返回' } as const;
const status = (enabled: boolean) => (enabled ? '启用' : '停用');
const text = (value: string | number | null) => (value === null ? '' : value);

async function rowsOf(kind: ResourceKind, store: Store, names: (id: string | null) => string): Promise<Cell[][]> {
  const { resources } = store;
  switch (kind) {
    case 'teams':
      return (await resources.teams.list()).map((t) => [
        t.name,
        choiceLabel(TEAM_KIND_CHOICES, t.kind),
        t.headcount,
        text(t.leaderName),
        text(t.leaderPhone),
        names(t.townshipId),
        names(t.departmentId),
        t.lat,
        t.lon,
        TEAM_STATUS_LABELS[t.status],
        status(t.enabled),
      ]);
    case 'depots':
      return (await resources.depots.list()).map((d) => [
        d.name,
        names(d.townshipId),
        formatDepotItems(d.items),
        text(d.contactName),
        text(d.contactPhone),
        d.lat,
        d.lon,
        status(d.enabled),
      ]);
    case 'shelters':
      return (await resources.shelters.list()).map((s) => [
        s.name,
        names(s.townshipId),
        text(s.address),
        s.capacity,
        s.occupancy,
        text(s.contactName),
        text(s.contactPhone),
        s.lat,
        s.lon,
        status(s.enabled),
      ]);
    case 'experts':
      return (await resources.experts.list()).map((e) => [e.name, e.field, e.phone, text(e.unit), status(e.enabled)]);
  }
}

export async function exportResources(store: Store): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const units = [...(await store.townships.list()), ...(await store.departments.list())];
  const count = new Map<string, number>();
  for (const u of units) count.set(u.name, (count.get(u.name) ?? 0) + 1);
  const shown = new Map(units.map((u) => [u.id, count.get(u.name) === 1 ? u.name : u.id]));
  const names = (id: string | null) => (id === null ? '' : (shown.get(id) ?? id));
  for (const kind of RESOURCE_KINDS) {
    const sheet = workbook.addWorksheet(RESOURCE_SHEET_NAMES[kind]);
    sheet.addRow(RESOURCE_COLUMNS[kind].map((c) => c.header));
    sheet.getRow(1).font = { bold: true };
    for (const row of await rowsOf(kind, store, names)) sheet.addRow(row);
    sheet.columns.forEach((column) => {
      column.width = 16;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
