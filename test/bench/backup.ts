/**
 * Backup and restore time and size for a data dir with N rows: a seeded
 * store plus N audit entries (the table that grows with use), backed up with
 * createBackup (the CLI's code, in this process, no load meanwhile) and
 * restored into a fresh data dir — SQLite, and PostgreSQL when it is
 * installed (a throwaway server). Prints one row per backend and size.
 *
 *   node --import tsx test/bench/backup.ts [--rows 10000,100000,1000000]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createBackup, restoreBackup } from '../../signaling/src/backup/index.ts';
import { openStore } from '../../signaling/src/store/index.ts';
import { postgresUnavailableReason, startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';

export interface BackupBenchRow {
  backend: 'sqlite' | 'postgres';
  auditRows: number;
  /** Rows in every table, as the manifest counts them. */
  totalRows: number;
  /** The live database: the SQLite file (with its WAL), or pg_database_size. */
  databaseMB: number;
  backupMB: number;
  backupMs: number;
  restoreMs: number;
}

const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

async function fileSize(file: string): Promise<number> {
  return (await stat(file).catch(() => null))?.size ?? 0;
}

/** `rows` audit entries in one statement's worth of work per backend (the store's API would take minutes). */
async function seed(dataDir: string, databaseUrl: string | null, rows: number): Promise<number> {
  const file = path.join(dataDir, 'beacon.sqlite');
  const store = await openStore({
    file,
    databaseUrl,
    seed: { demoPassword: 'bench-password', demoPasswordChosen: true },
  });
  await store.close();
  const detail = JSON.stringify({
    warningId: 'w-0000',
    township: 'lucheng',
    note: '签收 acknowledged at the terminal',
  });
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      `INSERT INTO audit (at, actor_id, action, target, detail)
       SELECT now()::text, 'u-duty', 'alert.ack', 'w-' || n, $1 FROM generate_series(1, $2::int) AS n`,
      [detail, rows],
    );
    const size = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    await client.end();
    return Number(size.rows[0]?.bytes ?? 0);
  }
  const db = new Database(file);
  const insert = db.prepare(
    "INSERT INTO audit (at, actor_id, action, target, detail) VALUES (?, 'u-duty', 'alert.ack', ?, ?)",
  );
  const at = new Date().toISOString();
  db.transaction(() => {
    for (let n = 1; n <= rows; n++) insert.run(at, `w-${n}`, detail);
  })();
  db.close();
  return (await fileSize(file)) + (await fileSize(`${file}-wal`));
}

async function measure(
  backend: 'sqlite' | 'postgres',
  rows: number,
  database: () => Promise<string | null>,
): Promise<BackupBenchRow> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'beacon-bench-backup-'));
  try {
    const dataDir = path.join(scratch, 'data');
    const databaseUrl = await database();
    const databaseBytes = await seed(dataDir, databaseUrl, rows);
    const backup = await createBackup({ dir: path.join(scratch, 'backup'), dataDir, databaseUrl });
    const restored = await restoreBackup({
      dir: backup.dir,
      dataDir: path.join(scratch, 'restored'),
      databaseUrl: await database(),
    });
    return {
      backend,
      auditRows: rows,
      totalRows: Object.values(backup.manifest.tables).reduce((sum, n) => sum + n, 0),
      databaseMB: mb(databaseBytes),
      backupMB: mb(backup.bytes),
      backupMs: Math.round(backup.durationMs),
      restoreMs: Math.round(restored.durationMs),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function runBackupBench(opts: { rows: number[] }): Promise<BackupBenchRow[]> {
  const results: BackupBenchRow[] = [];
  for (const rows of opts.rows) results.push(await measure('sqlite', rows, async () => null));
  if (postgresUnavailableReason()) return results;
  const server = await startPostgres();
  try {
    let databases = 0;
    for (const rows of opts.rows) {
      results.push(await measure('postgres', rows, () => server.createDatabase(`bench_${++databases}`)));
    }
  } finally {
    await server.stop();
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000,100000,1000000' } } });
  const rows = values.rows.split(',').map(Number);
  console.log(`## Backup and restore of a data dir with N audit rows (${os.availableParallelism()} cores)`);
  const skipped = postgresUnavailableReason();
  if (skipped) console.log(`PostgreSQL skipped: ${skipped}`);
  console.table(await runBackupBench({ rows }));
}
