/**
 * The organisation's bulk import and export (/api/v1/admin/import, /export).
 * The file goes up as the raw body (no multipart library on either side); a
 * refused commit (422 import_invalid) still carries its report, so the page
 * shows the rows at fault instead of a bare error.
 */
import type { ExportFormat, ImportKind, ImportReport } from '@beacon/protocol/constants';
import { downloadWithToken } from '../../api.ts';
import { ConsoleError } from '../../errors.ts';
import { session } from '../../session.ts';

/** `endpoint`: the organisation's import (default) or the resources' (`/admin/resources/import`, its own report). */
export async function uploadImport<Report = ImportReport>(
  file: File,
  commit: boolean,
  endpoint = '/admin/import',
): Promise<Report> {
  const query = new URLSearchParams({ filename: file.name, commit: commit ? '1' : '0' });
  const path = `${endpoint}?${query}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/octet-stream',
        ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
      },
      body: file,
    });
  } catch (cause) {
    throw new ConsoleError('network', `POST ${path}: ${String(cause)}`, { cause });
  }
  const body = (await response.json().catch(() => ({}))) as {
    report?: Report;
    error?: { code?: ConstructorParameters<typeof ConsoleError>[0]; message?: string };
  };
  if (response.ok) return body as Report;
  if (body.report) return body.report;
  throw new ConsoleError(
    body.error?.code ?? 'internal',
    body.error?.message ?? `POST ${path}: HTTP ${response.status}`,
    {
      status: response.status,
    },
  );
}

/** Downloads the chosen kinds: one workbook (XLSX) or one kind's CSV file. */
export function downloadExport(kinds: readonly ImportKind[], format: ExportFormat, fileName: string): Promise<void> {
  const query = new URLSearchParams({ kinds: kinds.join(','), format });
  return downloadWithToken(`/admin/export?${query}`, fileName, session.token);
}

/** A server message is `中文 / English`: the part for the console's language. */
export function messageIn(message: string, locale: string): string {
  const cut = message.indexOf(' / ');
  if (cut < 0) return message;
  return locale === 'en' ? message.slice(cut + 3) : message.slice(0, cut);
}
