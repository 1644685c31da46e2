/**
 * One store test suite, run against every backend: `describeStoreBackends`
 * declares the suite once per backend (SQLite file; PostgreSQL on a throwaway
 * server, skipped with the reason in its name when PostgreSQL is missing).
 * Each test gets a fresh, empty location: a new SQLite file or a new database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { openStore } from '../openStore.ts';
import { openPostgresDb } from '../postgresDb.ts';
import type { OpenStoreOptions, Store } from '../StoreTypes.ts';
import type { Dialect, SqlDb } from '../sqlDb.ts';
import { openSqliteDb } from '../sqliteDb.ts';
import { type PostgresServer, postgresUnavailableReason, startPostgres } from './postgresServer.ts';

/** Where one test's store lives. */
export interface StoreLocation {
  file: string;
  databaseUrl?: string;
}

export interface StoreBackendEnv {
  readonly dialect: Dialect;
  /** This test's location. */
  location(): StoreLocation;
  /** Opens a store on this test's location; closed after the test. */
  open(opts?: Pick<OpenStoreOptions, 'seed' | 'initialAdmin'>): Promise<Store>;
  /** A second, raw connection to the same location (what another process sees); closed after the test. */
  connect(): Promise<SqlDb>;
}

let databases = 0;

export function describeStoreBackends(suite: (env: StoreBackendEnv) => void): void {
  const pgMissing = postgresUnavailableReason();
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const skip = dialect === 'postgres' ? pgMissing : undefined;
    const title = skip ? `${dialect} (skipped: ${skip})` : dialect;
    (skip ? describe.skip : describe)(title, () => suite(backendEnv(dialect)));
  }
}

function backendEnv(dialect: Dialect): StoreBackendEnv {
  let server: PostgresServer | undefined;
  let dir = '';
  let current: StoreLocation | undefined;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    if (dialect === 'postgres') server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-store-'));
    const file = path.join(dir, 'nested', 'beacon.db');
    current = server ? { file, databaseUrl: await server.createDatabase(`t${++databases}`) } : { file };
  });
  afterEach(async () => {
    for (const handle of opened.splice(0)) await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const location = () => {
    if (!current) throw new Error('no store location outside a test');
    return current;
  };
  return {
    dialect,
    location,
    open: async (opts = {}) => {
      const store = await openStore({ ...location(), ...opts });
      opened.push(store);
      return store;
    },
    connect: async () => {
      const { file, databaseUrl } = location();
      const db = databaseUrl ? await openPostgresDb(databaseUrl) : openSqliteDb(file);
      opened.push(db);
      return db;
    },
  };
}
