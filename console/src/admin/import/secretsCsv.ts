/** The one-time passwords of an import as CSV text (UTF-8 BOM first, so Excel in China reads it as UTF-8). */
import type { ImportReport } from '@beacon/protocol/constants';

const quote = (cell: string): string => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

export function secretsCsv(report: ImportReport, t: (key: string) => string): string {
  const rows: string[][] = [
    [t('admin.import.secretsKind'), t('admin.field.username'), t('admin.field.name'), t('admin.field.password')],
  ];
  for (const a of report.accounts) {
    rows.push([t('admin.import.kind.users'), a.username, a.displayName, a.password ?? t('admin.import.givenInFile')]);
  }
  for (const p of report.phones) rows.push([t('admin.import.kind.phones'), p.extension, p.name, p.password]);
  return `\ufeff${rows.map((row) => row.map(quote).join(',')).join('\r\n')}\r\n`;
}
