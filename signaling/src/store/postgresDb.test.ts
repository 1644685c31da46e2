/** The synchronous PostgreSQL bridge on a real throwaway server: errors, transactions, lost connections. */

import { BeaconError } from '@beacon/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from './openStore.ts';
import { openPostgresDb } from './postgresDb.ts';
import { type SqlDb, SqlError } from './sqlDb.ts';
import { type PostgresServer, postgresUnavailableReason, startPostgres } from './testing/postgresServer.ts';

const missing = postgresUnavailableReason();

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe.skipIf(missing)(`PostgreSQL bridge${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let server: PostgresServer;
  let url: string;
  let databases = 0;
  const opened: SqlDb[] = [];
  const connect = (opts?: Parameters<typeof openPostgresDb>[1]) => {
    const db = openPostgresDb(url, opts);
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    url = await server.createDatabase(`bridge${++databases}`);
  });
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
  });

  it('answers queries synchronously, with numbers for counts and Buffers for bytea', () => {
    const db = connect();
    db.exec('CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT UNIQUE, blob BYTEA)');
    const inserted = db.get<{ id: number }>('INSERT INTO t (name, blob) VALUES (?, ?) RETURNING id', [
      "o'brien ? not a parameter",
      Buffer.from([0, 1, 255]),
    ]);
    expect(inserted).toEqual({ id: 1 });
    expect(db.get("SELECT name, blob, COUNT(*) OVER () AS n FROM t WHERE name LIKE '%?%'")).toEqual({
      name: "o'brien ? not a parameter",
      blob: Buffer.from([0, 1, 255]),
      n: 1,
    });
    expect(db.run('UPDATE t SET name = ? WHERE id = ?', ['x', 1])).toEqual({ changes: 1 });
    expect(db.all('SELECT id FROM t WHERE id > ?', [5])).toEqual([]);
  });

  it('throws SQL errors in the caller, classified like SQLite’s, and keeps working', () => {
    const db = connect();
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT UNIQUE)');
    db.run("INSERT INTO t VALUES ('a', 'alpha')");

    const syntax = errorOf(() => db.all('SELEC nonsense'));
    expect(syntax).toBeInstanceOf(SqlError);
    expect(syntax).toMatchObject({ code: '42601', constraint: undefined });
    expect(errorOf(() => db.run("INSERT INTO t VALUES ('a', 'other')"))).toMatchObject({ constraint: 'primary_key' });
    expect(errorOf(() => db.run("INSERT INTO t VALUES ('b', 'alpha')"))).toMatchObject({ constraint: 'unique' });
    expect(db.get('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 1 });
  });

  it('prepares a statement again when another node changed the table under it', () => {
    const db = connect();
    const otherNode = connect();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)');
    expect(db.all('SELECT * FROM t')).toEqual([{ id: 1 }]);
    otherNode.exec("ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'new'");
    expect(db.all('SELECT * FROM t')).toEqual([{ id: 1, note: 'new' }]);
  });

  it('cancels a statement that runs past the statement timeout instead of hanging', () => {
    const db = connect({ statementTimeoutMs: 200 });
    expect(errorOf(() => db.get('SELECT pg_sleep(5)'))).toMatchObject({ code: '57014' });
    expect(db.get('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('commits a transaction, rolls it back when it throws, and nests with savepoints', () => {
    const db = connect();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    db.transaction(() => db.run('INSERT INTO t VALUES (1)'));
    expect(() =>
      db.transaction(() => {
        db.run('INSERT INTO t VALUES (2)');
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    db.transaction(() => {
      db.run('INSERT INTO t VALUES (3)');
      expect(errorOf(() => db.transaction(() => db.run('INSERT INTO t VALUES (1)')))).toMatchObject({
        constraint: 'primary_key',
      });
      db.run('INSERT INTO t VALUES (4)');
    });
    expect(db.all<{ id: number }>('SELECT id FROM t ORDER BY id').map((r) => r.id)).toEqual([1, 3, 4]);
  });

  it('fails a transaction whose connection died with store_unavailable, then reconnects', () => {
    const db = connect();
    const killer = connect();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const pid = db.get<{ pid: number }>('SELECT pg_backend_pid() AS pid')?.pid;
    const lost = errorOf(() =>
      db.transaction(() => {
        db.run('INSERT INTO t VALUES (1)');
        killer.get('SELECT pg_terminate_backend(?)', [pid ?? 0]);
        db.run('INSERT INTO t VALUES (2)');
      }),
    );
    expect(lost).toBeInstanceOf(BeaconError);
    expect((lost as BeaconError).code).toBe('store_unavailable');
    // Outside a transaction the next statement connects again; the dead transaction left nothing.
    expect(db.isOpen()).toBe(true);
    expect(db.all('SELECT id FROM t')).toEqual([]);
  });

  it('reports a server that is gone: store_unavailable and not ready', async () => {
    const own = await startPostgres();
    try {
      const store = await openStore({ file: 'unused', databaseUrl: await own.createDatabase('gone') });
      try {
        expect(store.isReady()).toBe(true);
        await own.stop();
        expect(store.isReady()).toBe(false);
        const err = errorOf(() => store.users.list());
        expect(err).toBeInstanceOf(BeaconError);
        expect((err as BeaconError).code).toBe('store_unavailable');
      } finally {
        store.close();
      }
    } finally {
      await own.stop();
    }
  });

  it('refuses to open when the server cannot be reached', async () => {
    const own = await startPostgres();
    const unreachable = own.url('postgres');
    await own.stop();
    const err = await openStore({ file: 'unused', databaseUrl: unreachable }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BeaconError);
    expect((err as BeaconError).code).toBe('store_unavailable');
  });
});
