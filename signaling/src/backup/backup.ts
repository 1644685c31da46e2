/**
 * `npm run backup -- DIR`: a consistent copy of a running Beacon — the
 * database (SQLite online backup, or pg_dump), the secrets and the TLS
 * material of the data dir, recordings when asked — with a manifest of
 * versions and checksums, written last.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../logger.ts';
import { BackupError } from './BackupError.ts';
import { isEmptyDir, listDataDirFiles, SQLITE_FILE } from './dataDirFiles.ts';
import { type BackupFile, copyHashed, hashFile, MANIFEST_FORMAT, type Manifest, writeManifest } from './manifest.ts';
import { dumpPostgres, type PostgresTools } from './postgresBackup.ts';
import { backupSqlite } from './sqliteBackup.ts';
import { beaconVersion } from './version.ts';

const log = createLogger('backup');

/** The PostgreSQL dump's name inside a backup. */
export const POSTGRES_DUMP_FILE = 'postgres.dump';

export interface BackupOptions {
  /** Where the backup goes: absent or empty (a backup never overwrites another). */
  dir: string;
  /** Beacon's data dir (BEACON_DATA_DIR). */
  dataDir: string;
  /** PostgreSQL deployments (DATABASE_URL); null: the SQLite file in the data dir. */
  databaseUrl: string | null;
  /** Copy `<dataDir>/recordings` too. Default false. */
  recordings?: boolean;
  tools?: PostgresTools;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  /** Sum of the files' sizes. */
  bytes: number;
  durationMs: number;
  /** Data dir directories left out (rebuilt by Beacon at start). */
  skipped: string[];
}

export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const dir = path.resolve(opts.dir);
  const dataDir = path.resolve(opts.dataDir);
  if (isInside(dir, dataDir)) {
    throw new BackupError(
      'backup_bad_arguments',
      `the backup directory ${dir} must be outside the data dir ${dataDir}`,
    );
  }
  if (!(await isEmptyDir(dir))) throw new BackupError('backup_target_not_empty', `${dir} is not empty`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const createdAt = new Date().toISOString();

  const databaseFile = opts.databaseUrl ? POSTGRES_DUMP_FILE : SQLITE_FILE;
  const snapshot = opts.databaseUrl
    ? await dumpPostgres(opts.databaseUrl, path.join(dir, databaseFile), opts.tools)
    : await backupSqlite(path.join(dataDir, SQLITE_FILE), path.join(dir, databaseFile));
  const files: BackupFile[] = [
    { path: databaseFile, kind: 'database', ...(await hashFile(path.join(dir, databaseFile))) },
  ];

  const listing = await listDataDirFiles(dataDir, { recordings: opts.recordings ?? false });
  for (const file of listing.files) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    files.push({ ...file, ...(await copyHashed(path.join(dataDir, file.path), target, 0o600)) });
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    beaconVersion: beaconVersion(),
    createdAt,
    backend: opts.databaseUrl ? 'postgres' : 'sqlite',
    schemaVersion: snapshot.schemaVersion,
    tables: snapshot.tables,
    recordings: opts.recordings ?? false,
    files,
  };
  await writeManifest(dir, manifest);
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const durationMs = performance.now() - started;
  log.info(
    { dir, backend: manifest.backend, schemaVersion: manifest.schemaVersion, files: files.length, bytes, durationMs },
    'backup written',
  );
  return { dir, manifest, bytes, durationMs, skipped: listing.skipped };
}

/** True when `child` is `parent` or below it. */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
