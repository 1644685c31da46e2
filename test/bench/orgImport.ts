/**
 * Bulk import of a large county from one XLSX: N townships × M villages,
 * U township accounts, a video terminal and a desk phone per township (the
 * made-up county of the import tests). Prints the file's size and rows, then
 * per store (SQLite file; PostgreSQL on a throwaway server when installed):
 * reading the workbook (exceljs), the dry run against the empty store, the
 * commit (one transaction, passwords hashed before it), and a second dry
 * run of the same file against the imported county (every row unchanged).
 * Hashing the accounts' passwords alone is timed too: scrypt is most of a commit.
 *
 *   node --import tsx test/bench/orgImport.ts [--townships 200] [--villages 20] [--users 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { commitImport } from '../../signaling/src/admin-import/commitImport.ts';
import { DEFAULT_IMPORT_LIMITS } from '../../signaling/src/admin-import/importRoutes.ts';
import { planImport } from '../../signaling/src/admin-import/planImport.ts';
import { readWorkbook } from '../../signaling/src/admin-import/readWorkbook.ts';
import { countySheets, countyXlsx } from '../../signaling/src/admin-import/testing/countyWorkbook.ts';
import { hashPassword } from '../../signaling/src/auth/passwords.ts';
import { openStore, type Store } from '../../signaling/src/store/index.ts';
import { postgresUnavailableReason, startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';

export interface OrgImportOptions {
  townships: number;
  villagesPerTownship: number;
  users: number;
}

export interface OrgImportRow {
  store: 'sqlite' | 'postgres';
  rows: number;
  readMs: number;
  dryRunMs: number;
  commitMs: number;
  /** The dry run of the same file once imported: every row unchanged. */
  reDryRunMs: number;
}

export interface OrgImportResult {
  fileBytes: number;
  /** Hashing the accounts' initial passwords alone, all at once (part of commitMs). */
  hashMs: number;
  rows: OrgImportRow[];
}

const ms = (from: number) => Math.round(performance.now() - from);

async function measure(kind: OrgImportRow['store'], file: Buffer, store: Store): Promise<OrgImportRow> {
  let t = performance.now();
  const tables = await readWorkbook(file, 'county.xlsx', DEFAULT_IMPORT_LIMITS);
  const readMs = ms(t);
  t = performance.now();
  const plan = await planImport(tables, store);
  const dryRunMs = ms(t);
  if (plan.errors.length > 0) throw new Error(`the bench file was refused: ${JSON.stringify(plan.errors[0])}`);
  t = performance.now();
  const { report } = await commitImport(tables, store, {
    file: 'county.xlsx',
    sha256: 'bench',
    actor: { userId: 'bench', role: 'admin' },
    realm: 'beacon',
  });
  const commitMs = ms(t);
  if (!report.committed) throw new Error('the bench file was not committed');
  t = performance.now();
  const again = await planImport(tables, store);
  const reDryRunMs = ms(t);
  if (again.rows.some((r) => r.action !== 'unchanged')) throw new Error('the second dry run found changes');
  return { store: kind, rows: plan.rows.length, readMs, dryRunMs, commitMs, reDryRunMs };
}

export async function runOrgImport(opts: OrgImportOptions): Promise<OrgImportResult> {
  const file = await countyXlsx(countySheets(opts));
  let t = performance.now();
  // Two at a time, as a commit hashes them (commitImport.ts).
  let left = opts.users + 2;
  const hashNext = async () => {
    while (left-- > 0) await hashPassword(`bench-password-${left}`);
  };
  await Promise.all([hashNext(), hashNext()]);
  const hashMs = ms(t);
  const rows: OrgImportRow[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-import-bench-'));
  try {
    const sqlite = await openStore({ file: path.join(dir, 'beacon.db') });
    try {
      rows.push(await measure('sqlite', file, sqlite));
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!postgresUnavailableReason()) {
    const server = await startPostgres();
    try {
      t = performance.now();
      const store = await openStore({ file: '', databaseUrl: await server.createDatabase('bench_import') });
      try {
        rows.push(await measure('postgres', file, store));
      } finally {
        await store.close();
      }
    } finally {
      await server.stop();
    }
  }
  return { fileBytes: file.length, hashMs, rows };
}

export function printOrgImport(opts: OrgImportOptions, result: OrgImportResult): void {
  const { townships, villagesPerTownship, users } = opts;
  console.log(
    `\n## Organisation import: ${townships} townships × ${villagesPerTownship} villages + ${users} users, ` +
      `a terminal and a phone per township, one XLSX of ${Math.round(result.fileBytes / 1024)} KiB (${os.availableParallelism()} cores)`,
  );
  const skipped = postgresUnavailableReason();
  if (skipped) console.log(`PostgreSQL skipped: ${skipped}`);
  console.table(result.rows);
  console.log(
    `hashing the ${users + 2} initial passwords alone (scrypt, 2 at a time as a commit does; part of each commit): ${result.hashMs} ms`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      townships: { type: 'string', default: '200' },
      villages: { type: 'string', default: '20' },
      users: { type: 'string', default: '1000' },
    },
  });
  const opts = {
    townships: Number(values.townships),
    villagesPerTownship: Number(values.villages),
    users: Number(values.users),
  };
  printOrgImport(opts, await runOrgImport(opts));
}
