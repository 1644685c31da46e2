/**
 * Bulk import and export of the organisation (/api/v1/admin/import, /export):
 * the kinds a file may hold, and what a dry run or a commit answers. Zod-free:
 * the console reads these through `@beacon/protocol/constants`.
 */

/** The kinds a workbook holds, one sheet each, in the order they are imported (units before what refers to them). */
export const IMPORT_KINDS = ['townships', 'villages', 'departments', 'users', 'terminals', 'phones'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** The sheet (and CSV file) name each kind is exported under; import also accepts the English kind. */
export const IMPORT_SHEET_NAMES: Record<ImportKind, string> = {
  townships: '乡镇',
  villages: '村社区',
  departments: '部门',
  users: '用户',
  terminals: '视频终端',
  phones: '话机',
};

/** Export formats: one workbook with a sheet per kind, or one CSV file of one kind (UTF-8 with BOM). */
export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Why a row (or a header, or a sheet) is refused. `required`, `invalid`
 * (format, range, a choice not in the list), `duplicate` (the same key twice in
 * the file), `conflict` (a unique value another record holds), `unknown_ref` (no
 * enabled township/department by that name or code), `ambiguous` (two match),
 * `unknown_sheet`, `unknown_column`, and the password policy's codes.
 */
export const IMPORT_ERROR_CODES = [
  'required',
  'invalid',
  'duplicate',
  'conflict',
  'unknown_ref',
  'ambiguous',
  'unknown_sheet',
  'unknown_column',
  'password_too_short',
  'password_is_username',
  'password_too_common',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export interface ImportRowError {
  /** The sheet (or CSV file) as named in the file. */
  sheet: string;
  /** The spreadsheet's row number (1 = the header row). */
  row: number;
  /** The column's header as written in the file; null when the whole row or sheet is at fault. */
  column: string | null;
  code: ImportErrorCode;
  /** Chinese, then English: `手机号格式不正确 / not an 11-digit mobile number`. */
  message: string;
}

export interface ImportKindCounts {
  create: number;
  update: number;
  unchanged: number;
}

/** One row that would change (or did): the first few hundred are listed. */
export interface ImportChange {
  kind: ImportKind;
  sheet: string;
  row: number;
  action: 'create' | 'update';
  /** What identifies the record to a person: a name, a username, an extension. */
  key: string;
  /** The fields an update changes (empty for a create). */
  fields: string[];
}

/** A user the import created, with the initial password Beacon chose (shown once; changed at first sign-in). */
export interface ImportedAccount {
  username: string;
  displayName: string;
  /** Null when the file gave the password. */
  password: string | null;
}

/** A desk phone the import created, with its SIP password (shown once; the store keeps digest hashes). */
export interface ImportedPhone {
  extension: string;
  name: string;
  password: string;
  realm: string;
}

export interface ImportReport {
  file: string;
  /** True only when the rows were written (a commit without errors). */
  committed: boolean;
  counts: Record<ImportKind, ImportKindCounts>;
  errors: ImportRowError[];
  /** The first changes, in file order (at most `IMPORT_MAX_LISTED_CHANGES`). */
  changes: ImportChange[];
  /** After a commit: the new accounts' initial passwords and the new phones' SIP passwords, this once. */
  accounts: ImportedAccount[];
  phones: ImportedPhone[];
}

export const IMPORT_MAX_LISTED_CHANGES = 500;
