/**
 * Resource workbooks for tests: sheets as header + rows, written by exceljs as
 * an admin's spreadsheet would be, and a small roster of the demo city's teams.
 */
import ExcelJS from 'exceljs';

export type Cell = string | number | null;
export interface SheetData {
  header: string[];
  rows: Cell[][];
}

/** An XLSX workbook with one sheet per entry, in the given order. */
export async function resourceXlsx(sheets: Record<string, SheetData>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, data] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(name);
    sheet.addRow(data.header);
    for (const row of data.rows) sheet.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * Three teams of the demo city, far → near from 紫溪镇 (25.00, 101.42): the file's order is not the
 * distance order, so a list that showed file order would be caught.
 */
export function demoTeams(prefix = ''): SheetData {
  return {
    header: ['队伍名称', '队伍类型', '人数', '负责人', '联系电话', '所属乡镇', '所属部门', '纬度', '经度'],
    rows: [
      [`${prefix}市消防救援大队`, '消防救援', 45, '张伟', '0878-3123119', '', '应急管理局', 25.04, 101.55],
      [`${prefix}东瓜镇民兵应急分队`, '民兵应急', 30, '王磊', '13800000002', '东瓜镇', '', 25.02, 101.6],
      [`${prefix}紫溪镇应急分队`, '民兵', 25, '李强', '13800000001', '紫溪镇', '', 25.01, 101.43],
    ],
  };
}
