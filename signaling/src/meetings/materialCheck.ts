/**
 * Meeting materials are checked by what they are, never by their name: the
 * content's signature (magic bytes, via file-type, which also looks inside
 * ZIP containers to tell DOCX/XLSX/PPTX apart) must be a PDF, an Office
 * document or an image. An executable renamed `.pdf` is refused; the stored
 * name gets the extension of what the file really is.
 */
import { BeaconError } from '@beacon/protocol';
import { fileTypeFromBuffer } from 'file-type';

/** Default size limit of one material (a scanned PDF of a long report fits; a video does not). */
export const DEFAULT_MAX_MATERIAL_BYTES = 50 * 1024 * 1024;

/** What file-type names → the MIME type served. `cfb` is the container of legacy .doc/.xls/.ppt. */
const ACCEPTED: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  cfb: 'application/x-cfb',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};
/** Legacy Office files: the name's extension says which, once the content proved it is an OLE container. */
const LEGACY_OFFICE = new Set(['doc', 'xls', 'ppt', 'wps', 'et', 'dps']);

export function checkMaterialSize(bytes: number, max: number): void {
  if (bytes > max) {
    throw new BeaconError(
      'material_too_large',
      `文件过大（最多 ${Math.round(max / 1024 / 1024)} MB） / larger than ${max} bytes`,
    );
  }
}

/** Letters, digits, CJK, dot, dash, underscore and space; at most 120 characters; never a path. */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\p{L}\p{N}._\- ()（）]/gu, '_').replace(/^\.+/, '');
  return cleaned.slice(-120) || 'material';
}

export interface CheckedMaterial {
  name: string;
  mime: string;
}

export async function checkMaterial(bytes: Buffer, name: string, max: number): Promise<CheckedMaterial> {
  checkMaterialSize(bytes.length, max);
  const detected = await fileTypeFromBuffer(bytes);
  const mime = detected && ACCEPTED[detected.ext];
  if (!detected || !mime) {
    throw new BeaconError(
      'material_refused',
      `不是 PDF、Office 文档或图片（内容为 ${detected?.ext ?? '未知'}） / not a PDF, Office document or image`,
    );
  }
  const clean = safeName(name);
  const stem = clean.replace(/\.[^.]*$/, '') || 'material';
  const claimed = clean.includes('.') ? (clean.split('.').pop() ?? '').toLowerCase() : '';
  if (detected.ext === 'cfb') {
    // The container is right; which legacy Office kind it is only the name says (the reader program checks more).
    return { name: `${stem}.${LEGACY_OFFICE.has(claimed) ? claimed : 'doc'}`, mime };
  }
  const ext = detected.ext === 'jpg' && claimed === 'jpeg' ? 'jpeg' : detected.ext;
  return { name: `${stem}.${ext}`, mime };
}
