/**
 * A made-up county as an import file, for tests and the benchmark: sheets
 * with the Chinese headers an admin's file has, rows a test may change
 * before writing (to refuse one, to duplicate one). Codes under the county
 * code `53239<n>`, mobile numbers 139…, usernames `<prefix>-…`.
 */
import { IMPORT_SHEET_NAMES, type ImportKind } from '@beacon/protocol';
import ExcelJS from 'exceljs';

export type Cell = string | number;
export interface SheetData {
  header: string[];
  rows: Cell[][];
}
export type CountySheets = Record<ImportKind, SheetData>;

export interface CountyOptions {
  townships: number;
  villagesPerTownship: number;
  /** Township accounts, spread over the townships (plus one duty officer and one department account). */
  users: number;
  /** Names and usernames start with it, so two counties can share a database (default 'qs'). */
  prefix?: string;
  /** 1–3: the county's codes are 53239<county>…, its extensions <6 + county>xxxx (default 1). */
  county?: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The county's sheets: N townships with their villages, 2 departments, users, a video terminal and a phone per township. */
export function countySheets(options: CountyOptions): CountySheets {
  const { townships, villagesPerTownship, users, prefix = 'qs', county = 1 } = options;
  const township = (i: number) => `${prefix}青山${i + 1}镇`;
  const code = (i: number) => `53239${county}${pad(i + 1, 3)}`;
  const sheets: CountySheets = {
    townships: { header: ['乡镇名称', '编码', '类型', '纬度', '经度'], rows: [] },
    villages: { header: ['所属乡镇', '村/社区', '类型', '编码', '联系人', '手机号'], rows: [] },
    departments: {
      header: ['部门名称', '简称', '值班电话'],
      rows: [
        [`${prefix}县应急管理局`, `${prefix}应急`, '0878-3100001'],
        [`${prefix}县水务局`, `${prefix}水务`, '0878-3100002'],
      ],
    },
    users: { header: ['用户名', '姓名', '角色', '所属乡镇', '所属部门', '手机号'], rows: [] },
    terminals: { header: ['终端名称', '所属乡镇', '所属部门'], rows: [] },
    phones: { header: ['分机号', '名称', '所属乡镇', '所属部门'], rows: [] },
  };
  for (let i = 0; i < townships; i++) {
    sheets.townships.rows.push([township(i), code(i), i % 5 === 4 ? '乡' : '镇', 25 + i * 0.001, 101.5 + i * 0.001]);
    for (let j = 0; j < villagesPerTownship; j++) {
      const community = j === 0;
      const name = community ? `${prefix}城关${i + 1}社区` : `${prefix}青山${i + 1}-${j}村`;
      const mobile = `139${pad(i * 100 + j, 8)}`;
      sheets.villages.rows.push([
        code(i),
        name,
        community ? '社区' : '村',
        `${code(i)}${pad(j + 1, 3)}`,
        `联系人${j}`,
        mobile,
      ]);
    }
    sheets.terminals.rows.push([`${township(i)}视频终端`, township(i), '']);
    sheets.phones.rows.push([`${6 + county}${pad(i + 1, 4)}`, `${township(i)}值班电话`, township(i), '']);
  }
  for (let u = 0; u < users; u++) {
    const i = u % townships;
    sheets.users.rows.push([
      `${prefix}-t${u + 1}`,
      `乡镇值班员${u + 1}`,
      '乡镇账号',
      township(i),
      '',
      `138${pad(u, 8)}`,
    ]);
  }
  sheets.users.rows.push([`${prefix}-duty`, '县值班员', '值班员', '', '', '13700000001']);
  sheets.users.rows.push([`${prefix}-water`, '水务联络员', '部门账号', '', `${prefix}县水务局`, '13700000002']);
  sheets.terminals.rows.push([`${prefix}应急局指挥终端`, '', `${prefix}县应急管理局`]);
  return sheets;
}

/** One XLSX workbook with a sheet per kind (named 乡镇, 村社区, …). */
export async function countyXlsx(sheets: Partial<CountySheets>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [kind, data] of Object.entries(sheets) as [ImportKind, SheetData][]) {
    const sheet = workbook.addWorksheet(IMPORT_SHEET_NAMES[kind]);
    sheet.addRow(data.header);
    for (const row of data.rows) sheet.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** One kind as CSV text (quoted where needed), without a BOM. */
export function sheetCsv(data: SheetData): string {
  const quote = (cell: Cell) => {
    const text = String(cell);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [data.header, ...data.rows].map((row) => row.map(quote).join(',')).join('\r\n');
}
