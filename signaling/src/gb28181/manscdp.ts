/**
 * MANSCDP (GB/T 28181-2016 annex A): the XML bodies of MESSAGE requests.
 * Devices write them in GB2312 (the standard's charset) and say so in the XML
 * declaration; some use GB18030 or UTF-8. Bytes are decoded with iconv-lite
 * (GB2312 and GBK read as GB18030, their superset), checked by the same XML
 * safety gate as CAP (no DTD, no foreign entities, well-formed) and parsed by
 * fast-xml-parser with every value kept as text: IDs are 20 digits and must
 * not become numbers.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { checkXmlText } from '../command/cap/xmlSafety.ts';
import { assertGbId, GbError } from './GbError.ts';

export type ManscdpKind = 'Query' | 'Notify' | 'Response' | 'Control';
const KINDS: readonly ManscdpKind[] = ['Query', 'Notify', 'Response', 'Control'];

/** One parsed MANSCDP document: its root, command type, serial number, device, and the rest as text fields. */
export interface Manscdp {
  kind: ManscdpKind;
  cmdType: string;
  sn: number;
  deviceId: string;
  fields: Record<string, unknown>;
}

/** Largest body a device may send (a catalog page of a few dozen channels is ~10 KB). */
export const MAX_MANSCDP_BYTES = 256 * 1024;

const CHARSETS: Record<string, string> = {
  gb2312: 'gb18030',
  gbk: 'gb18030',
  gb18030: 'gb18030',
  'utf-8': 'utf8',
  utf8: 'utf8',
};

/** The charset the XML declaration names, lower case; null when it names none. */
function declaredCharset(head: string): string | null {
  const declaration = /^\s*<\?xml[^>]*\?>/.exec(head)?.[0];
  if (!declaration) return null;
  return /encoding\s*=\s*["']([^"']+)["']/i.exec(declaration)?.[1]?.toLowerCase() ?? null;
}

/** Decodes a body by its declaration (undeclared: UTF-8, as XML says). Refuses unknown charsets and invalid bytes. */
export function decodeManscdp(bytes: Buffer): string {
  if (bytes.length > MAX_MANSCDP_BYTES) {
    throw new GbError('manscdp_not_xml', `body of ${bytes.length} bytes is over ${MAX_MANSCDP_BYTES}`);
  }
  // The declaration is ASCII in every charset we accept.
  const declared = declaredCharset(bytes.subarray(0, 200).toString('latin1'));
  const charset = declared ?? 'utf-8';
  const codec = CHARSETS[charset];
  if (!codec) throw new GbError('manscdp_charset', `charset "${charset.slice(0, 40)}" is not GB2312, GB18030 or UTF-8`);
  const text = iconv.decode(bytes, codec);
  if (text.includes('\ufffd')) {
    const said = declared ? `declared ${declared}` : 'no declared charset, so UTF-8';
    throw new GbError('manscdp_charset', `body has bytes that are not valid in its charset (${said})`);
  }
  return text;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  trimValues: true,
  // A catalog page of one channel must still be a list.
  isArray: (name) => name === 'Item',
});

/** Reads a MANSCDP body: decoded, checked, parsed, its device ID validated. */
export function parseManscdp(bytes: Buffer): Manscdp {
  const text = decodeManscdp(bytes);
  try {
    checkXmlText(text, MAX_MANSCDP_BYTES * 4, 'bad_request');
  } catch (error) {
    throw new GbError('manscdp_not_xml', (error as Error).message, { cause: error });
  }
  const doc = parser.parse(text) as Record<string, unknown>;
  const kind = KINDS.find((k) => typeof doc[k] === 'object' && doc[k] !== null);
  if (!kind) throw new GbError('manscdp_shape', 'root is not Query, Notify, Response or Control');
  const fields = doc[kind] as Record<string, unknown>;
  const cmdType = fields.CmdType;
  if (typeof cmdType !== 'string' || cmdType === '') throw new GbError('manscdp_shape', `${kind} without CmdType`);
  const sn = Number(fields.SN);
  if (!Number.isInteger(sn) || sn < 0) throw new GbError('manscdp_shape', `${kind} ${cmdType} without a valid SN`);
  const deviceId = assertGbId(String(fields.DeviceID ?? ''));
  return { kind, cmdType, sn, deviceId, fields };
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true });

/** Writes a MANSCDP document in GB2312, the standard's charset (bytes ready for a MESSAGE body). */
export function writeManscdp(kind: ManscdpKind, fields: Record<string, unknown>): Buffer {
  const xml = `<?xml version="1.0" encoding="GB2312"?>\n${builder.build({ [kind]: fields })}`;
  return iconv.encode(xml, 'gb18030');
}

/** A text field of a parsed document, or undefined. */
export function textField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
