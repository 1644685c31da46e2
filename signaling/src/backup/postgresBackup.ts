/**
 * The PostgreSQL part: `pg_dump` (custom format) and `pg_restore` from
 * Debian's postgresql-client, which know every object type and stay correct
 * across server versions, where hand-written COPY loops would not.
 *
 * The manifest's row counts and schema version come from the very snapshot
 * pg_dump dumps: this process opens a REPEATABLE READ transaction, exports
 * its snapshot, and pg_dump reads through it (`--snapshot`).
 *
 * The password never appears on a command line (other users can read those):
 * it goes to the tools through PGPASSWORD.
 */
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';
import { findExecutable } from '@beacon/common';
import pg from 'pg';
import { BackupError } from './BackupError.ts';
import type { DatabaseSnapshot } from './sqliteBackup.ts';

const run = promisify(execFile);

export interface PostgresTools {
  /** Default: found on PATH (Debian: /usr/bin/pg_dump, the wrapper that picks the newest installed client). */
  pgDump?: string;
  pgRestore?: string;
}

function tool(name: 'pg_dump' | 'pg_restore', override: string | undefined): string {
  const found = findExecutable(override ?? name);
  if (!found) {
    throw new BackupError('backup_tool_missing', `${name} is not installed (apt-get install postgresql-client)`);
  }
  return found;
}

/** The URL without its password, and the environment that carries the password. */
export function connectionForTools(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

async function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  try {
    await run(file, args, { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new BackupError('backup_tool_failed', `${what} failed: ${stderr || (err as Error).message}`, { cause: err });
  }
}

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError('backup_tool_failed', `cannot connect to PostgreSQL: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Tables of the current schema, rows per table, and the latest migration. */
async function snapshotOf(client: pg.Client): Promise<DatabaseSnapshot> {
  const { rows } = await client.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename',
  );
  const tables: Record<string, number> = {};
  for (const { tablename } of rows) {
    const count = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${pg.escapeIdentifier(tablename)}`);
    tables[tablename] = Number(count.rows[0]?.n ?? 0);
  }
  const latest =
    'schema_migrations' in tables
      ? (await client.query<{ latest: number | null }>('SELECT MAX(id) AS latest FROM schema_migrations')).rows[0]
          ?.latest
      : null;
  return { schemaVersion: latest ?? 0, tables };
}

/** Dumps the database into the new file `destination` (mode 0600). */
export async function dumpPostgres(
  databaseUrl: string,
  destination: string,
  tools: PostgresTools = {},
): Promise<DatabaseSnapshot> {
  const pgDump = tool('pg_dump', tools.pgDump);
  const { url, env } = connectionForTools(databaseUrl);
  return withClient(databaseUrl, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const exported = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const snapshot = await snapshotOf(client);
      await runTool(
        pgDump,
        [
          '--format=custom',
          `--snapshot=${exported.rows[0]?.id}`,
          `--file=${destination}`,
          '--no-password',
          `--dbname=${url}`,
        ],
        env,
        'pg_dump',
      );
      await chmod(destination, 0o600);
      return snapshot;
    } finally {
      await client.query('COMMIT');
    }
  });
}

/** True when the database already holds tables (restoring would mix two histories). */
export async function postgresHasTables(databaseUrl: string): Promise<boolean> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      'SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema()',
    );
    return Number(rows[0]?.n ?? 0) > 0;
  });
}

/**
 * Restores `dump` into the database in one transaction (all or nothing);
 * `replace` drops the dump's objects first. Returns what the database then holds.
 */
export async function restorePostgres(
  databaseUrl: string,
  dump: string,
  opts: { replace: boolean; tools?: PostgresTools },
): Promise<DatabaseSnapshot> {
  const pgRestore = tool('pg_restore', opts.tools?.pgRestore);
  const { url, env } = connectionForTools(databaseUrl);
  await runTool(
    pgRestore,
    [
      '--single-transaction',
      '--exit-on-error',
      '--no-owner',
      '--no-privileges',
      ...(opts.replace ? ['--clean', '--if-exists'] : []),
      '--no-password',
      `--dbname=${url}`,
      dump,
    ],
    env,
    'pg_restore',
  );
  return withClient(databaseUrl, snapshotOf);
}
