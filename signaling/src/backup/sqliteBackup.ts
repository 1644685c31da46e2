/**
 * The SQLite part of a backup: SQLite's online backup API from a separate,
 * read-only connection, so Beacon keeps running and writing meanwhile.
 *
 * The whole database is copied in ONE backup step: SQLite restarts a stepwise
 * backup whenever another connection writes between steps, so under steady
 * writes (acks arriving) small steps might never finish. One step reads one
 * snapshot (a WAL read transaction): writers are not blocked, and the copy
 * holds exactly the transactions committed before it began — every ack
 * answered ok before the backup started is in it.
 */
import { chmod, stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { BackupError } from './BackupError.ts';

/** What the copied database holds, read from the copy itself. */
export interface DatabaseSnapshot {
  /** Latest migration id in `schema_migrations` (0 when none). */
  schemaVersion: number;
  /** Rows per table. */
  tables: Record<string, number>;
}

/** better-sqlite3 clamps a step to this many pages: more than any database has. */
const ALL_PAGES = 0x7fffffff;
const BUSY_TIMEOUT_MS = 10_000;

/** Copies the live database `source` into the new file `destination` (mode 0600). */
export async function backupSqlite(source: string, destination: string): Promise<DatabaseSnapshot> {
  const found = await stat(source).catch(() => null);
  if (!found?.isFile()) {
    throw new BackupError('backup_source_missing', `no database at ${source} (is BEACON_DATA_DIR right?)`);
  }
  const live = new Database(source, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    await live.backup(destination, { progress: () => ALL_PAGES });
  } finally {
    live.close();
  }
  await chmod(destination, 0o600);
  return inspectSqlite(destination, { standalone: true });
}

/**
 * Checks a SQLite file and counts its rows. `standalone` switches it from WAL
 * to a rollback journal first, so the file is complete by itself (no -wal
 * beside it); Beacon switches it back to WAL when it opens it.
 */
export function inspectSqlite(file: string, opts: { standalone?: boolean } = {}): DatabaseSnapshot {
  const db = new Database(file, { fileMustExist: true, readonly: !opts.standalone });
  try {
    if (opts.standalone) db.pragma('journal_mode = DELETE');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError('backup_integrity_failed', `${file}: quick_check says ${String(check)}`);
    const names = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((row) => row.name);
    const tables: Record<string, number> = {};
    for (const name of names) {
      const row = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get();
      tables[name] = row?.n ?? 0;
    }
    const latest = names.includes('schema_migrations')
      ? db.prepare<[], { latest: number | null }>('SELECT MAX(id) AS latest FROM schema_migrations').get()?.latest
      : null;
    return { schemaVersion: latest ?? 0, tables };
  } finally {
    db.close();
  }
}
