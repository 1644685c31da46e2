/**
 * A month's roster from an XLSX file (exceljs reads it): the first sheet,
 * a header row naming the columns (Chinese or English), then one row per day
 * and shift:
 *
 *   日期 Date   | 班次 Shift   | 带班领导 Leader | 值班员 Officers
 *   2026-12-01  | 白班 (or day) | zhang.wei       | li.na、wang.qiang
 *
 * People are named by username or display name; several officers are
 * separated by 、 , ， ; ； or spaces. Every row is checked and every refusal
 * reported (row, column, code); the caller writes nothing unless all pass.
 */
import {
  DUTY_LEADER_ROLES,
  DUTY_MAX_OFFICERS,
  DUTY_OFFICER_ROLES,
  type DutyShift,
  type RosterImportCode,
  type RosterImportRowError,
} from '@beacon/protocol';
import ExcelJS from 'exceljs';
import type { RosterSlot } from '../store/index.ts';
import { isCalendarDay } from './dutyClock.ts';

/** Who can be named: every account (disabled ones are refused by name, not "unknown"). */
export interface RosterCandidate {
  id: string;
  username: string;
  displayName: string;
  role: string;
  enabled: boolean;
}

export type RosterWorkbookResult = { ok: true; slots: RosterSlot[] } | { ok: false; errors: RosterImportRowError[] };

/** A month has at most 31 days × a few shifts; more rows is the wrong file. */
export const MAX_ROSTER_ROWS = 500;

const COLUMNS = {
  day: ['日期', 'date', 'day'],
  shift: ['班次', 'shift'],
  leader: ['带班领导', 'leader'],
  officers: ['值班员', '值班人员', 'officers', 'officer'],
} as const;
type Column = keyof typeof COLUMNS;
const COLUMN_LABEL: Record<Column, string> = { day: '日期', shift: '班次', leader: '带班领导', officers: '值班员' };

const MESSAGES: Record<RosterImportCode, string> = {
  not_xlsx: '不是有效的 XLSX 文件 / not an XLSX file',
  no_sheet: '文件中没有工作表 / the file has no sheet',
  missing_column: '缺少列 / a column is missing',
  too_many_rows: `行数超过 ${MAX_ROSTER_ROWS} / more than ${MAX_ROSTER_ROWS} rows`,
  missing_value: '缺少必填值 / a value is missing',
  bad_date: '日期无效（应为 YYYY-MM-DD） / not a YYYY-MM-DD date',
  outside_month: '日期不在导入的月份内 / the date is not in the imported month',
  unknown_shift: '没有这个班次 / no such shift',
  unknown_person: '没有这个人员 / no such person',
  ambiguous_person: '同名人员不止一个，请填用户名 / several people have that name: use the username',
  not_eligible: '此人不能担任该岗位（角色不符或已停用） / this person cannot take that post (role or disabled)',
  too_many_officers: `值班员超过 ${DUTY_MAX_OFFICERS} 人 / more than ${DUTY_MAX_OFFICERS} officers`,
  duplicate_entry: '同一天同一班次重复 / the same day and shift twice',
};

const rowError = (row: number, column: Column | null, code: RosterImportCode, detail?: string) => ({
  row,
  column: column && COLUMN_LABEL[column],
  code,
  message: detail ? `${MESSAGES[code]}: ${detail}` : MESSAGES[code],
});

/** `2026-12-01`, `2026/12/1`, `2026.12.1`, or a date cell (exceljs gives a Date at UTC midnight of the typed day). */
function dayOf(value: ExcelJS.CellValue, text: string): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  const match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text.trim());
  if (!match) return null;
  const day = `${match[1]}-${match[2]?.padStart(2, '0')}-${match[3]?.padStart(2, '0')}`;
  return isCalendarDay(day) ? day : null;
}

function headerColumns(sheet: ExcelJS.Worksheet): Partial<Record<Column, number>> {
  const found: Partial<Record<Column, number>> = {};
  sheet.getRow(1).eachCell((cell, index) => {
    const header = cell.text.trim().toLowerCase();
    for (const [column, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
      if (names.includes(header) && found[column] === undefined) found[column] = index;
    }
  });
  return found;
}

export async function readRosterWorkbook(
  file: Buffer,
  opts: { month: string; shifts: readonly DutyShift[]; people: readonly RosterCandidate[] },
): Promise<RosterWorkbookResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
  } catch {
    return { ok: false, errors: [rowError(0, null, 'not_xlsx')] };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { ok: false, errors: [rowError(0, null, 'no_sheet')] };
  const columns = headerColumns(sheet);
  const missing = (Object.keys(COLUMNS) as Column[]).filter((c) => c !== 'leader' && columns[c] === undefined);
  if (missing.length > 0) return { ok: false, errors: missing.map((c) => rowError(1, c, 'missing_column')) };
  if (sheet.rowCount > MAX_ROSTER_ROWS + 1) return { ok: false, errors: [rowError(0, null, 'too_many_rows')] };

  const people = new PersonLookup(opts.people);
  const errors: RosterImportRowError[] = [];
  const slots = new Map<string, RosterSlot>();
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cell = (column: Column) => {
      const index = columns[column];
      return index === undefined
        ? { value: null, text: '' }
        : { value: row.getCell(index).value, text: row.getCell(index).text.trim() };
    };
    const [dayCell, shiftCell, leaderCell, officersCell] = [
      cell('day'),
      cell('shift'),
      cell('leader'),
      cell('officers'),
    ];
    if (!dayCell.text && !shiftCell.text && !leaderCell.text && !officersCell.text) continue;
    const before = errors.length;
    const fail = (column: Column | null, code: RosterImportCode, detail?: string) =>
      errors.push(rowError(r, column, code, detail));

    const day = dayCell.text ? dayOf(dayCell.value, dayCell.text) : null;
    if (!dayCell.text) fail('day', 'missing_value');
    else if (!day) fail('day', 'bad_date', dayCell.text);
    else if (!day.startsWith(`${opts.month}-`)) fail('day', 'outside_month', day);
    const shift = opts.shifts.find((s) => s.key === shiftCell.text.toLowerCase() || s.name === shiftCell.text);
    if (!shiftCell.text) fail('shift', 'missing_value');
    else if (!shift) fail('shift', 'unknown_shift', shiftCell.text);

    const leader = leaderCell.text ? people.find(leaderCell.text, DUTY_LEADER_ROLES) : null;
    if (leader && 'code' in leader) fail('leader', leader.code, leaderCell.text);
    const names = officersCell.text.split(/[、,，;；\s]+/).filter(Boolean);
    if (names.length === 0 && !leaderCell.text) fail('officers', 'missing_value');
    if (names.length > DUTY_MAX_OFFICERS) fail('officers', 'too_many_officers');
    const officerIds: string[] = [];
    for (const name of names) {
      const officer = people.find(name, DUTY_OFFICER_ROLES);
      if ('code' in officer) fail('officers', officer.code, name);
      else if (!officerIds.includes(officer.id)) officerIds.push(officer.id);
    }
    if (errors.length > before || !day || !shift) continue;
    const key = `${day}/${shift.key}`;
    if (slots.has(key)) {
      fail('day', 'duplicate_entry', `${day} ${shift.name}`);
      continue;
    }
    slots.set(key, { day, shift: shift.key, leaderId: leader && !('code' in leader) ? leader.id : null, officerIds });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, slots: [...slots.values()] };
}

/** Names to accounts: a username first, else a display name that only one account has. */
class PersonLookup {
  readonly #byUsername = new Map<string, RosterCandidate>();
  readonly #byName = new Map<string, RosterCandidate[]>();

  constructor(people: readonly RosterCandidate[]) {
    for (const person of people) {
      this.#byUsername.set(person.username, person);
      this.#byName.set(person.displayName, [...(this.#byName.get(person.displayName) ?? []), person]);
    }
  }

  find(name: string, roles: readonly string[]): RosterCandidate | { code: RosterImportCode } {
    const byName = this.#byName.get(name) ?? [];
    const person = this.#byUsername.get(name) ?? (byName.length === 1 ? byName[0] : undefined);
    if (!person) return { code: byName.length > 1 ? 'ambiguous_person' : 'unknown_person' };
    if (!person.enabled || !roles.includes(person.role)) return { code: 'not_eligible' };
    return person;
  }
}
