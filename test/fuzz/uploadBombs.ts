/**
 * Hostile files for the upload routes: organisation workbooks (an XLSX is a
 * zip of XML: entity bombs inside it, a zip bomb, a truncated zip, CSV
 * tricks), report photos (XMP entity bomb in a JPEG, a PNG claiming 4 billion
 * pixels, a PNG that inflates to 144 MB, SVG with entities, garbage) and
 * township boundaries (GeoJSON nested 100,000 deep, millions of points).
 */
import { crc32, deflateSync } from 'node:zlib';
import JSZip from 'jszip';
import sharp from 'sharp';
import { countySheets, countyXlsx } from '../../signaling/src/admin-import/testing/countyWorkbook.ts';
import { billionLaughs, EXTERNAL_ENTITIES } from './xmlBombs.ts';

export interface UploadCase {
  name: string;
  body: Buffer;
  contentType: string;
  /** Query string for the route (the import's file name). */
  query?: string;
}

export async function workbookCases(): Promise<UploadCase[]> {
  const good = await countyXlsx(countySheets({ townships: 2, villagesPerTownship: 1, users: 1 }));
  const replaced = async (name: string, file: string, content: string | Buffer, compress = true) => {
    const zip = await JSZip.loadAsync(good);
    zip.file(file, content);
    const body = await zip.generateAsync({ type: 'nodebuffer', compression: compress ? 'DEFLATE' : 'STORE' });
    return { name, body, contentType: 'application/octet-stream', query: '?filename=fuzz.xlsx' };
  };
  const rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'.repeat(2_000_000);
  const sheetBomb = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
  const xlsx = (name: string, body: Buffer) => ({
    name,
    body,
    contentType: 'application/octet-stream',
    query: '?filename=fuzz.xlsx',
  });
  const csv = (name: string, text: string) => ({
    name,
    body: Buffer.from(text),
    contentType: 'text/csv',
    query: '?filename=fuzz.csv',
  });
  return [
    xlsx('valid county workbook (dry run)', good),
    await replaced('XLSX: billion laughs in sharedStrings', 'xl/sharedStrings.xml', billionLaughs(10)),
    await replaced('XLSX: external entity in workbook.xml', 'xl/workbook.xml', EXTERNAL_ENTITIES[0] as string),
    await replaced('XLSX: zip bomb (a 140 MB sheet)', 'xl/worksheets/sheet1.xml', sheetBomb),
    await replaced('XLSX: [Content_Types].xml is garbage', '[Content_Types].xml', Buffer.alloc(5_000, 0xfe)),
    xlsx('XLSX: truncated', good.subarray(0, Math.floor(good.length / 2))),
    xlsx('XLSX: random bytes', Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 256))),
    xlsx('XLSX: empty', Buffer.alloc(0)),
    csv('CSV: formula injection', "名称,编码\n=cmd|' /C calc'!A0,+1\n@SUM(1),-2\n"),
    csv('CSV: one 4 MB line', `名称\n${'鹿'.repeat(1_300_000)}\n`),
    csv('CSV: NUL and invalid UTF-8', `名称\n\u0000\u0000${Buffer.from([0xff, 0xfe, 0xc0]).toString('latin1')}\n`),
    csv('CSV: 200,000 empty rows', `名称\n${',\n'.repeat(200_000)}`),
  ];
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A greyscale PNG of width × height whose pixels are all zero: tiny on the wire, width × height bytes decoded. */
function zeroPng(width: number, height: number, inflatedRows = height): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const idat = deflateSync(Buffer.alloc((width + 1) * inflatedRows), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG with an XMP packet (APP1) holding `xml`: exifr parses XMP. */
function jpegWithXmp(jpeg: Buffer, xml: string): Buffer {
  const payload = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(xml)]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

export async function photoCases(): Promise<UploadCase[]> {
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3a6' } })
    .jpeg()
    .toBuffer();
  const photo = (name: string, body: Buffer, contentType = 'image/jpeg') => ({ name, body, contentType });
  const xmpBomb = billionLaughs(10)
    .replace('<alert', '<x:xmpmeta xmlns:x="adobe:ns:meta/"')
    .replace('</alert>', '</x:xmpmeta>');
  return [
    photo('valid JPEG', jpeg),
    photo('JPEG: XMP with billion laughs', jpegWithXmp(jpeg, xmpBomb)),
    photo('JPEG: XMP with an external entity', jpegWithXmp(jpeg, EXTERNAL_ENTITIES[0] as string)),
    photo('JPEG: truncated', jpeg.subarray(0, Math.floor(jpeg.length / 3))),
    photo('PNG: claims 65,535 × 65,535 pixels', zeroPng(65_535, 65_535, 1), 'image/png'),
    photo('PNG: inflates to 144 MB (12,000 × 12,000)', zeroPng(12_000, 12_000), 'image/png'),
    photo('SVG with entities', Buffer.from(billionLaughs(8).replace(/alert/g, 'svg')), 'image/svg+xml'),
    photo('random bytes', Buffer.alloc(100_000, 0x5a), 'application/octet-stream'),
    photo('GIF header only', Buffer.from('GIF89a\xff\xff\xff\xff', 'latin1'), 'image/gif'),
  ];
}

export function boundaryCases(): UploadCase[] {
  const json = (name: string, text: string) => ({ name, body: Buffer.from(text), contentType: 'application/geo+json' });
  const ring = (n: number) =>
    Array.from({ length: n }, (_, i) => [
      101.5 + Math.cos((i / n) * 2 * Math.PI) / 10,
      25 + Math.sin((i / n) * 2 * Math.PI) / 10,
    ]);
  const feature = (coordinates: unknown) =>
    JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: '鹿城镇' }, geometry: { type: 'Polygon', coordinates } }],
    });
  return [
    json(
      'GeoJSON nested 100,000 deep',
      `{"type":"FeatureCollection","features":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ),
    json('a polygon of 400,000 points (~9 MB)', feature([ring(400_000)])),
    json(
      'coordinates NaN / out of range',
      feature([
        [
          [1e308, -1e308],
          [Number.NaN, 0],
          [200, 100],
          [1e308, -1e308],
        ],
      ]).replace(/null/g, 'NaN'),
    ),
    json(
      'a self-intersecting bow tie',
      feature([
        [
          [101, 25],
          [102, 26],
          [102, 25],
          [101, 26],
          [101, 25],
        ],
      ]),
    ),
    json('KML (XML) with billion laughs', billionLaughs(10)),
    json(
      '20,000 features',
      JSON.stringify({
        type: 'FeatureCollection',
        features: Array.from({ length: 20_000 }, (_, i) => ({
          type: 'Feature',
          properties: { name: `t${i}` },
          geometry: { type: 'Point', coordinates: [101, 25] },
        })),
      }),
    ),
  ];
}
