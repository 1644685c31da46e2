/** Materials are judged by their content: PDF, Office and images pass (named after what they are); executables do not. */
import { BeaconError } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkMaterial, safeName } from './materialCheck.ts';

const MAX = 1024 * 1024;
const codeOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  return (error as BeaconError).code;
};

describe('meeting materials', () => {
  it('accepts a PDF, an XLSX and a PNG by their content, whatever their names say', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n');
    expect(await checkMaterial(pdf, '会议议程.pdf', MAX)).toEqual({ name: '会议议程.pdf', mime: 'application/pdf' });
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('参会').addRow(['紫溪镇', '张镇长']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(await checkMaterial(xlsx, '名单.pdf', MAX)).toMatchObject({
      name: '名单.xlsx',
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(await checkMaterial(png, 'map', MAX)).toEqual({ name: 'map.png', mime: 'image/png' });
  });

  it('refuses an executable renamed .pdf, plain text and a file over the limit', async () => {
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(300)]);
    expect(await codeOf(checkMaterial(exe, '通知.pdf', MAX))).toBe('material_refused');
    const elf = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00'), Buffer.alloc(300)]);
    expect(await codeOf(checkMaterial(elf, 'agenda.docx', MAX))).toBe('material_refused');
    expect(await codeOf(checkMaterial(Buffer.from('hello, world'), 'a.pdf', MAX))).toBe('material_refused');
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(MAX)]);
    expect(await codeOf(checkMaterial(big, 'big.pdf', MAX))).toBe('material_too_large');
  });

  it('keeps names to a file name', () => {
    expect(safeName('../../etc/passwd')).toBe('passwd');
    expect(safeName('C:\\docs\\会议 纪要(1).docx')).toBe('会议 纪要(1).docx');
    expect(safeName('...')).toBe('material');
  });
});
