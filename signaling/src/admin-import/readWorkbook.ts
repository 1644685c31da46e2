/**
 * A file an admin uploads, read into tables of text: every sheet of an XLSX
 * workbook, or the one table of a CSV file. XLSX and CSV are read by exceljs
 * (its CSV reader is fast-csv); CSV may be UTF-8 (with or without the BOM
 * Excel writes) or GBK, which Excel in China saves "CSV" as by default.
 * Cells become trimmed strings, so a code or a mobile number keeps its digits
 * whatever type Excel gave it. Row 1 of each sheet is the header row.
 */
import { Readable } from 'node:stream';
import { BeaconError } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { declaredUnpackedSize } from './zipSize.ts';

export interface SheetTable {
  /** The sheet's name, or the CSV file's name without `.csv`. */
  name: string;
  header: string[];
  /** Data rows that are not blank, with their spreadsheet row number (the header is row 1). */
  rows: { row: number; cells: string[] }[];
}

export interface ReadLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Most data rows accepted, over all sheets. */
  maxRows: number;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/**
 * How much larger than the file limit a workbook may unpack to. XLSX XML
 * compresses about 10:1 (the bench's 189 KiB county unpacks to ~2 MiB); 20
 * leaves room and still bounds memory to ~100 MB of XML at the default limit.
 */
const UNPACK_FACTOR = 20;
const NOT_XLSX = '不是有效的 XLSX 工作簿 not a valid XLSX workbook';

export function tooLarge(limits: ReadLimits): BeaconError {
  const mb = Math.round((limits.maxBytes / 1024 / 1024) * 10) / 10;
  return new BeaconError(
    'import_too_large',
    `文件过大：最多 ${mb} MB、${limits.maxRows} 行 / file too large: at most ${mb} MB and ${limits.maxRows} rows`,
  );
}

const malformed = (what: string, cause?: unknown) =>
  new BeaconError('import_malformed', `无法读取文件：${what} / cannot read the file: ${what}`, { cause });

export async function readWorkbook(data: Buffer, fileName: string, limits: ReadLimits): Promise<SheetTable[]> {
  if (data.length > limits.maxBytes) throw tooLarge(limits);
  if (data.length === 0) throw malformed('空文件 empty');
  const isZip = data.subarray(0, 4).equals(ZIP_MAGIC);
  if (isZip) {
    const unpacked = declaredUnpackedSize(data);
    if (unpacked === null) throw malformed(NOT_XLSX);
    if (unpacked > limits.maxBytes * UNPACK_FACTOR) throw tooLarge(limits);
  }
  const tables = isZip ? await readXlsx(data) : await readCsv(data, fileName);
  const rows = tables.reduce((n, t) => n + t.rows.length, 0);
  if (rows > limits.maxRows) throw tooLarge(limits);
  return tables;
}

async function readXlsx(data: Buffer): Promise<SheetTable[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's typings want its own Buffer interface; a Node Buffer is what it reads.
    await workbook.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw malformed(NOT_XLSX, err);
  }
  return workbook.worksheets.map(tableOf);
}

async function readCsv(data: Buffer, fileName: string): Promise<SheetTable[]> {
  if (/\.xlsx?$/i.test(fileName)) throw malformed(NOT_XLSX);
  const text = decodeText(data);
  if (!looksLikeText(text)) throw malformed('不是文本 CSV not a text CSV file');
  const workbook = new ExcelJS.Workbook();
  try {
    const sheet = await workbook.csv.read(Readable.from([text]), {
      sheetName: fileName.replace(/\.csv$/i, '') || 'csv',
      // Every value as the text it is: no numbers (codes lose leading zeros) and no dates.
      map: (value: unknown) => value,
      parserOptions: { trim: true },
    });
    return [tableOf(sheet)];
  } catch (err) {
    throw malformed('CSV 格式错误 malformed CSV', err);
  }
}

/** No control characters other than tab and line ends: a binary file (a PDF, an old .xls) is not a CSV. */
function looksLikeText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** UTF-8 when the bytes are valid UTF-8 (BOM dropped), else GBK. */
function decodeText(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    return iconv.decode(data, 'gbk');
  }
}

function tableOf(sheet: ExcelJS.Worksheet): SheetTable {
  const header: string[] = [];
  const rows: SheetTable['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = cellText(cell.value);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    if (rowNumber === 1) header.push(...cells);
    else if (cells.some((c) => c !== '')) rows.push({ row: rowNumber, cells });
  });
  return { name: sheet.name, header, rows };
}

/** A cell's value as the text a person sees (a formula's result, a link's text, a date's day). */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value)
    return value.richText
      .map((part) => part.text)
      .join('')
      .trim();
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    return result === undefined || typeof result === 'object' ? '' : String(result).trim();
  }
  if ('hyperlink' in value) return String(value.text ?? '').trim();
  if ('error' in value) return '';
  return '';
}
