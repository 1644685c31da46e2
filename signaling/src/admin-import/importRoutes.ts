/**
 * Bulk import and export of the organisation, under /api/v1/admin (admin
 * accounts only, checked by adminRouter):
 *
 *   POST /admin/import?filename=县.xlsx&commit=0|1[&kind=users]
 *        body: the file's bytes (any content type but JSON). commit=0 (the
 *        default) is a dry run: what would be created / changed / unchanged and
 *        every row's errors. commit=1 writes all rows in one transaction, or
 *        nothing (422 import_invalid, with the same report) when any row is
 *        refused; the answer carries the new accounts' and phones' passwords once.
 *   GET  /admin/export?kinds=townships,villages&format=xlsx|csv
 *
 * Files above `maxBytes` or `maxRows` are refused with import_too_large,
 * files neither XLSX nor CSV with import_malformed.
 */
import { createHash } from 'node:crypto';
import { EXPORT_FORMATS, IMPORT_KINDS, IMPORT_SHEET_NAMES, type ImportReport } from '@beacon/protocol';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AccountSessions } from '../auth/AccountSessions.ts';
import { claimsOf } from '../http/authRoutes.ts';
import { createLogger } from '../logger.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { commitImport } from './commitImport.ts';
import { exportWorkbook } from './exportWorkbook.ts';
import { loadSnapshot, planImport, reportOf } from './planImport.ts';
import { type ReadLimits, readWorkbook, tooLarge } from './readWorkbook.ts';

const logger = createLogger('admin-import');

export interface ImportOptions {
  /** Largest file accepted (default 5 MiB: a county of 20,000 rows is well under 2 MiB as XLSX). */
  maxBytes?: number;
  /** Most data rows accepted over all sheets (default 20,000). */
  maxRows?: number;
}

export const DEFAULT_IMPORT_LIMITS: ReadLimits = { maxBytes: 5 * 1024 * 1024, maxRows: 20_000 };

const importQuerySchema = z.object({
  filename: z.string().trim().min(1).max(200).default('import.xlsx'),
  commit: z.enum(['0', '1']).default('0'),
  kind: z.enum(IMPORT_KINDS).optional(),
});

const exportQuerySchema = z.object({
  kinds: z
    .string()
    .default(IMPORT_KINDS.join(','))
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(IMPORT_KINDS)).min(1)),
  format: z.enum(EXPORT_FORMATS).default('xlsx'),
});

interface ImportDeps {
  store: Store;
  sip: Pick<SipBridge, 'realm' | 'loadPhones' | 'credentialsChanged'>;
  accounts: Pick<AccountSessions, 'changed' | 'disabled'>;
  importOptions?: ImportOptions;
}

/** The body as bytes, at most `maxBytes` of them (the resources' import reads its files the same way). */
export async function fileOf(req: Request, res: Response, limits: ReadLimits): Promise<Buffer> {
  const parse = express.raw({ type: () => true, limit: limits.maxBytes });
  await new Promise<void>((resolve, reject) => {
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: unknown } | undefined)?.type === 'entity.too.large') reject(tooLarge(limits));
      else if (err) reject(err);
      else resolve();
    });
  });
  // A JSON body was parsed before this route saw it: not a file.
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

export function importRoutes(router: Router, deps: ImportDeps): void {
  const limits: ReadLimits = { ...DEFAULT_IMPORT_LIMITS, ...deps.importOptions };

  router.post('/admin/import', async (req, res) => {
    const query = parseOrBadRequest(importQuerySchema, req.query);
    const data = await fileOf(req, res, limits);
    const tables = await readWorkbook(data, query.filename, limits);
    if (query.commit === '0') {
      const report = reportOf(await planImport(tables, deps.store, query.kind), query.filename, false);
      res.json(report);
      return;
    }
    const claims = claimsOf(res);
    const result = await commitImport(tables, deps.store, {
      file: query.filename,
      sha256: createHash('sha256').update(data).digest('hex'),
      kindHint: query.kind,
      actor: { userId: claims.userId, role: claims.role },
      realm: deps.sip.realm,
    });
    const { report } = result;
    if (!report.committed) {
      const error = {
        code: 'import_invalid',
        message: `${report.errors.length} 行有错误，未导入 / rows refused: nothing imported`,
      };
      res.status(422).json({ error, report });
      return;
    }
    logger.info({ file: report.file, userId: claims.userId, counts: report.counts }, 'organisation imported');
    for (const id of result.movedUserIds) deps.accounts.changed(id);
    for (const id of result.disabledUserIds) deps.accounts.disabled(id);
    if (result.phonesChanged) {
      await deps.sip.loadPhones();
      deps.sip.credentialsChanged();
    }
    // The passwords are in this answer only.
    res.set('cache-control', 'no-store').json(report satisfies ImportReport);
  });

  router.get('/admin/export', async (req, res) => {
    const query = parseOrBadRequest(exportQuerySchema, req.query);
    const kinds = IMPORT_KINDS.filter((k) => query.kinds.includes(k));
    const body = await exportWorkbook(kinds, query.format, await loadSnapshot(deps.store));
    const base = kinds.length === 1 ? IMPORT_SHEET_NAMES[kinds[0] as (typeof kinds)[number]] : '组织机构';
    const type =
      query.format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    res.attachment(`${base}.${query.format}`).type(type).send(body);
  });
}
