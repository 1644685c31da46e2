/**
 * One data row of a sheet as a planner reads it: its cells by field name,
 * and the errors found on it, each naming the row and the column as the file
 * names them.
 */
import type { ImportErrorCode, ImportKind, ImportRowError } from '@beacon/protocol';
import type { z } from 'zod';

/**
 * A sheet bound to a kind: which column index each known field is in, and its header as written.
 * `K`: the organisation's kinds here, the resources' kinds in resources/ (the same rows, read the same way).
 */
export interface BoundSheet<K extends string = ImportKind> {
  kind: K;
  name: string;
  columns: Map<string, { index: number; header: string }>;
  rows: { row: number; cells: string[] }[];
}

export class ImportRow {
  readonly row: number;
  private readonly cells: string[];
  private failed = false;
  private readonly failedFields = new Set<string | null>();

  constructor(
    private readonly sheet: BoundSheet<string>,
    data: { row: number; cells: string[] },
    private readonly errors: ImportRowError[],
  ) {
    this.row = data.row;
    this.cells = data.cells;
  }

  get sheetName(): string {
    return this.sheet.name;
  }

  /** True once any error was recorded on this row. */
  get hasErrors(): boolean {
    return this.failed;
  }

  /** The sheet has this column (an absent column leaves the field as it is on update). */
  has(field: string): boolean {
    return this.sheet.columns.has(field);
  }

  /** The cell's text; '' when empty or the column is absent. */
  text(field: string): string {
    const column = this.sheet.columns.get(field);
    return column ? (this.cells[column.index] ?? '') : '';
  }

  /**
   * A field's value: from the file where the sheet has the column, else the
   * existing record's `key` (an update leaves it as it is), else `fromRow()`
   * on the empty cell (a create gets the default, or a `required` error).
   */
  valueOr<T>(field: string, existing: object | undefined, key: string, fromRow: () => T): T {
    if (this.has(field) || !existing) return fromRow();
    return (existing as Record<string, unknown>)[key] as T;
  }

  /** The cell's text, or null when empty. */
  optional(field: string): string | null {
    return this.text(field) || null;
  }

  /** A number cell: undefined when empty, NaN (and an error) when not a number. */
  number(field: string): number | undefined {
    const text = this.text(field);
    if (text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) {
      this.fail(field, 'invalid', `“${text}”不是数字 / "${text}" is not a number`);
      return Number.NaN;
    }
    return value;
  }

  /** A choice given in Chinese or English: the stored value, undefined when empty, or an error. */
  choice(field: string, choices: Readonly<Record<string, string>>): string | undefined {
    const text = this.text(field);
    if (text === '') return undefined;
    const value = choices[text] ?? choices[text.toLowerCase()];
    if (value === undefined) {
      const allowed = Object.keys(choices).filter((k) => /[^\x20-\x7e]/.test(k));
      this.fail(field, 'invalid', `“${text}”不是可选值（${allowed.join('、')}） / "${text}" is not one of the choices`);
    }
    return value;
  }

  /** Records an error on this row; `field` null: the row as a whole. */
  fail(field: string | null, code: ImportErrorCode, message: string): void {
    this.failed = true;
    this.failedFields.add(field);
    this.errors.push({ sheet: this.sheet.name, row: this.row, column: this.header(field), code, message });
  }

  /**
   * The issues of a failed zod parse as row errors. `fieldOf` maps a schema
   * field (`townshipId`) to the column that fed it (`township`).
   */
  failZod(error: z.ZodError, fieldOf: Record<string, string> = {}): void {
    for (const issue of error.issues) {
      const key = String(issue.path[0] ?? '');
      const field = fieldOf[key] ?? key;
      // Already refused with a clearer reason (an unknown choice, a unit not found).
      if (this.failedFields.has(field)) continue;
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      if (missing) {
        this.fail(field, 'required', `必填 / ${field} is required`);
      } else {
        this.fail(field, 'invalid', invalidMessage(this.text(field), issue.message));
      }
    }
  }

  /** The header of `field` as the file writes it (the field name when the column is absent). */
  header(field: string | null): string | null {
    if (field === null) return null;
    return this.sheet.columns.get(field)?.header ?? field;
  }
}

/** `“1390000”：11 位手机号 / "1390000": an 11-digit mobile number`, from a schema message in both languages or in English. */
function invalidMessage(shown: string, message: string): string {
  const cut = message.indexOf(' / ');
  if (cut >= 0) return `“${shown}”：${message.slice(0, cut)} / "${shown}": ${message.slice(cut + 3)}`;
  return `“${shown}”格式不正确 / "${shown}" is invalid: ${message}`;
}
