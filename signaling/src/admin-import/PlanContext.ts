/**
 * What the planners share while they read a file: the organisation as it
 * was, the units referable by name or code (the database's and the file's),
 * the keys already seen (a second row with the same username is an error on
 * that row), and the planned rows and errors so far.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ImportKind, ImportRowError } from '@beacon/protocol';
import type { BoundSheet } from './ImportRow.ts';
import { ImportRow } from './ImportRow.ts';
import { CHOICES } from './importColumns.ts';
import type { OrgSnapshot, PlannedRow } from './importPlanTypes.ts';
import { UnitIndex } from './UnitIndex.ts';

export class PlanContext {
  readonly townships = new UnitIndex({ zh: '乡镇', en: 'township' });
  readonly departments = new UnitIndex({ zh: '部门', en: 'department' });
  readonly rows: PlannedRow[] = [];
  readonly errors: ImportRowError[] = [];
  readonly givenPasswords = new Map<string, string>();
  private readonly keys = new Map<string, { sheet: string; row: number }>();

  constructor(readonly snapshot: OrgSnapshot) {
    for (const t of snapshot.townships) this.townships.add(t.id, [t.name, t.code], t.enabled);
    for (const d of snapshot.departments) this.departments.add(d.id, [d.name, d.shortName], d.enabled);
  }

  row(sheet: BoundSheet, data: { row: number; cells: string[] }): ImportRow {
    return new ImportRow(sheet, data, this.errors);
  }

  /**
   * Takes `value` as the row's key `what` (a username, a code); false, with a
   * `duplicate` error naming the first row, when an earlier row took it.
   */
  claim(row: ImportRow, kind: ImportKind, field: string, what: string, value: string): boolean {
    const id = `${kind}\u0000${what}\u0000${value}`;
    const first = this.keys.get(id);
    if (first) {
      row.fail(
        field,
        'duplicate',
        `“${value}”与 ${first.sheet} 第 ${first.row} 行重复 / duplicate of row ${first.row}`,
      );
      return false;
    }
    this.keys.set(id, { sheet: row.sheetName, row: row.row });
    return true;
  }

  /**
   * A reference cell (所属乡镇 / 所属部门): the unit's id, null when empty, or
   * undefined after recording why it names no unit. New rows go under enabled
   * units only, as in the admin forms; a row already under a disabled unit
   * (`currentId`) may stay there, so an exported file imports unchanged.
   */
  unit(row: ImportRow, field: 'township' | 'department', currentId?: string | null): string | null | undefined {
    const text = row.text(field);
    if (text === '') return null;
    const found = (field === 'township' ? this.townships : this.departments).resolve(text);
    if (!('id' in found)) {
      row.fail(field, found.code, found.message);
      return undefined;
    }
    if (!found.enabled && found.id !== currentId) {
      const what = field === 'township' ? '乡镇' : '部门';
      row.fail(field, 'unknown_ref', `${what}“${text}”已停用 / the ${field} "${text}" is disabled`);
      return undefined;
    }
    return found.id;
  }

  /**
   * Plans a validated row: created when nothing matched, else the `editable`
   * fields of `create` compared with the existing record (an update of those
   * that differ, or unchanged).
   */
  plan<K extends ImportKind>(
    row: ImportRow,
    p: {
      kind: K;
      key: string;
      id: string;
      existing: object | undefined;
      create: Extract<PlannedRow<K>, { action: 'create' }>['create'];
      editable: readonly string[];
    },
  ): void {
    const status = row.choice('enabled', CHOICES.enabled);
    if (row.hasErrors) return;
    const wantedEnabled = status === undefined ? undefined : status === 'enabled';
    const base = { kind: p.kind, sheet: row.sheetName, row: row.row, key: p.key, id: p.id };
    if (!p.existing) {
      const disabled = wantedEnabled === false ? { enabled: false } : {};
      this.indexEnabled(p.kind, p.id, wantedEnabled ?? true);
      this.rows.push({ ...base, ...disabled, action: 'create', create: p.create } as PlannedRow);
      return;
    }
    const before = p.existing as Record<string, unknown>;
    const wanted = p.create as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const field of p.editable) {
      if (!isDeepStrictEqual(before[field] ?? null, wanted[field] ?? null)) patch[field] = wanted[field] ?? null;
    }
    const fields = Object.keys(patch);
    const switched = wantedEnabled !== undefined && wantedEnabled !== before.enabled;
    if (switched) {
      fields.push('enabled');
      this.indexEnabled(p.kind, p.id, wantedEnabled);
    }
    this.rows.push(
      (fields.length === 0
        ? { ...base, action: 'unchanged' }
        : { ...base, ...(switched ? { enabled: wantedEnabled } : {}), action: 'update', patch, fields }) as PlannedRow,
    );
  }

  /** Later rows of the file see a unit the file disables as disabled (no new rows under it), as the forms do. */
  private indexEnabled(kind: ImportKind, id: string, enabled: boolean): void {
    if (kind === 'townships') this.townships.add(id, [], enabled);
    else if (kind === 'departments') this.departments.add(id, [], enabled);
  }
}
