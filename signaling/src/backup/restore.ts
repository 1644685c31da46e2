/**
 * `npm run restore -- DIR`: puts a backup back into a data dir (and, on
 * PostgreSQL, into the DATABASE_URL database), Beacon stopped. Nothing is
 * written until the backup has passed every check: a manifest this code
 * understands, a schema not newer than this code's migrations, the same
 * backend, every file's size and SHA-256, and a target that is empty — or
 * `force`. Files land through a temporary name and are checked again as they
 * are copied; secrets get mode 0600, directories 0700. Beacon migrates an
 * older schema forward when it starts on the restored data.
 */
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../logger.ts';
import { migrations } from '../store/migrations.ts';
import { BackupError } from './BackupError.ts';
import { POSTGRES_DUMP_FILE } from './backup.ts';
import { isEmptyDir, SQLITE_FILE, SQLITE_FILES } from './dataDirFiles.ts';
import {
  assertDigest,
  assertSchemaSupported,
  type BackupFile,
  copyHashed,
  type Manifest,
  readManifest,
  verifyFiles,
} from './manifest.ts';
import { type PostgresTools, postgresHasTables, restorePostgres } from './postgresBackup.ts';

const log = createLogger('restore');

export interface RestoreOptions {
  /** The backup directory (with its manifest.json). */
  dir: string;
  /** The data dir to restore into (BEACON_DATA_DIR); created when absent. */
  dataDir: string;
  /** PostgreSQL deployments (DATABASE_URL): the database to restore into; null for SQLite. */
  databaseUrl: string | null;
  /** Replace what the data dir / database already holds. Default false: refuse. */
  force?: boolean;
  tools?: PostgresTools;
}

export interface RestoreResult {
  manifest: Manifest;
  durationMs: number;
}

export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const dir = path.resolve(opts.dir);
  const dataDir = path.resolve(opts.dataDir);
  const force = opts.force ?? false;

  const manifest = await readManifest(dir);
  assertSchemaSupported(manifest, migrations.length);
  const backend = opts.databaseUrl ? 'postgres' : 'sqlite';
  if (manifest.backend !== backend) {
    throw new BackupError(
      'backup_backend_mismatch',
      `the backup holds a ${manifest.backend} database but this deployment uses ${backend}` +
        (backend === 'postgres' ? ' (DATABASE_URL is set)' : ' (DATABASE_URL is not set)'),
    );
  }
  await verifyFiles(dir, manifest);
  if (!force && !(await isEmptyDir(dataDir))) throw BackupError.targetNotEmpty(`the data dir ${dataDir}`);
  if (!force && opts.databaseUrl && (await postgresHasTables(opts.databaseUrl))) {
    throw BackupError.targetNotEmpty('the database (DATABASE_URL)');
  }

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  for (const file of manifest.files) {
    if (file.kind === 'database' && backend === 'postgres') continue;
    await place(dir, dataDir, file);
  }
  if (opts.databaseUrl) {
    const restored = await restorePostgres(opts.databaseUrl, path.join(dir, POSTGRES_DUMP_FILE), {
      replace: force,
      ...(opts.tools ? { tools: opts.tools } : {}),
    });
    for (const [table, rows] of Object.entries(manifest.tables)) {
      if (restored.tables[table] !== rows) {
        throw new BackupError(
          'restore_count_mismatch',
          `table ${table}: ${restored.tables[table] ?? 'absent'} rows after pg_restore, the manifest says ${rows}`,
        );
      }
    }
  }
  const durationMs = performance.now() - started;
  log.info({ dir, dataDir, backend, schemaVersion: manifest.schemaVersion, durationMs }, 'backup restored');
  return { manifest, durationMs };
}

/** Copies one file into the data dir through a temporary name, checking its digest on the way. */
async function place(dir: string, dataDir: string, file: BackupFile): Promise<void> {
  const target = path.join(dataDir, ...file.path.split('/'));
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temporary = `${target}.restoring`;
  await rm(temporary, { force: true });
  try {
    assertDigest(file, await copyHashed(path.join(dir, file.path), temporary, 0o600));
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  // A -wal left from the replaced database would be replayed into the restored one and corrupt it.
  if (file.path === SQLITE_FILE) {
    for (const name of SQLITE_FILES) await rm(path.join(dataDir, name), { force: true });
  }
  await rename(temporary, target);
}
