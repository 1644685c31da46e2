/**
 * What a ZIP archive (an XLSX workbook) says it unpacks to, read from its
 * central directory before anything is inflated: exceljs unpacks a whole
 * workbook in memory (JSZip, no size limit), so a 5 MB file of highly
 * compressible XML could grow to gigabytes and take signaling down. Hand
 * written because neither exceljs nor JSZip offers a limit and the ZIP
 * layout needed here is three fixed records (APPNOTE.TXT 4.3.12, 4.3.16).
 * A ZIP64 archive (sizes 0xFFFFFFFF) counts as unbounded: no workbook an
 * admin exports is one.
 */

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_MARK = 0xffffffff;

/** The sum of the entries' declared uncompressed sizes (Infinity for ZIP64); null when there is no readable directory. */
export function declaredUnpackedSize(zip: Buffer): number | null {
  const end = findEndOfDirectory(zip);
  if (end < 0) return null;
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY) return null;
    const size = zip.readUInt32LE(at + 24);
    if (size === ZIP64_MARK) return Number.POSITIVE_INFINITY;
    total += size;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}

function findEndOfDirectory(zip: Buffer): number {
  const stop = Math.max(0, zip.length - END_RECORD_SIZE - MAX_COMMENT);
  for (let at = zip.length - END_RECORD_SIZE; at >= stop; at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  return -1;
}
