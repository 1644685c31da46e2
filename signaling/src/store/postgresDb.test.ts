/** SqlDb on PostgreSQL (a `pg` pool) on a real throwaway server: errors, transactions, concurrency, lost connections. */
import { type AddressInfo, connect as connectTcp, createServer } from 'node:net';
import { BeaconError } from '@beacon/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from './openStore.ts';
import { numberPlaceholders, openPostgresDb } from './postgresDb.ts';
import { type SqlDb, SqlError, TransactionEndedError } from './sqlDb.ts';
import { type PostgresServer, postgresUnavailableReason, startPostgres } from './testing/postgresServer.ts';

const missing = postgresUnavailableReason();

/** What the promise rejected with (undefined when it resolved). */
const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('numberPlaceholders', () => {
  it('numbers ? outside quotes and comments', () => {
    expect(numberPlaceholders(`SELECT ?, '?', "a?" -- ?\n, ?`)).toBe(`SELECT $1, '?', "a?" -- ?\n, $2`);
  });
});

describe.skipIf(missing)(`PostgreSQL pool${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let server: PostgresServer;
  let url: string;
  let databases = 0;
  const opened: SqlDb[] = [];
  const connect = async (opts?: Parameters<typeof openPostgresDb>[1]) => {
    const db = await openPostgresDb(url, opts);
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
    url = await server.createDatabase(`pool${++databases}`);
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
  });

  it('answers queries, with numbers for counts and Buffers for bytea', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT UNIQUE, blob BYTEA)');
    const inserted = await db.get<{ id: number }>('INSERT INTO t (name, blob) VALUES (?, ?) RETURNING id', [
      "o'brien ? not a parameter",
      Buffer.from([0, 1, 255]),
    ]);
    expect(inserted).toEqual({ id: 1 });
    expect(await db.get("SELECT name, blob, COUNT(*) OVER () AS n FROM t WHERE name LIKE '%?%'")).toEqual({
      name: "o'brien ? not a parameter",
      blob: Buffer.from([0, 1, 255]),
      n: 1,
    });
    expect(await db.run('UPDATE t SET name = ? WHERE id = ?', ['x', 1])).toEqual({ changes: 1 });
    expect(await db.all('SELECT id FROM t WHERE id > ?', [5])).toEqual([]);
  });

  it('rejects with SQL errors classified like SQLite’s, and keeps working', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT UNIQUE)');
    await db.run("INSERT INTO t VALUES ('a', 'alpha')");

    const syntax = await errorOf(db.all('SELEC nonsense'));
    expect(syntax).toBeInstanceOf(SqlError);
    expect(syntax).toMatchObject({ code: '42601', constraint: undefined });
    expect(await errorOf(db.run("INSERT INTO t VALUES ('a', 'other')"))).toMatchObject({ constraint: 'primary_key' });
    expect(await errorOf(db.run("INSERT INTO t VALUES ('b', 'alpha')"))).toMatchObject({ constraint: 'unique' });
    expect(await db.get('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 1 });
  });

  it('prepares a statement again when another node changed the table under it', async () => {
    const db = await connect({ poolSize: 1 });
    const otherNode = await connect();
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)');
    expect(await db.all('SELECT * FROM t')).toEqual([{ id: 1 }]);
    await otherNode.exec("ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'new'");
    expect(await db.all('SELECT * FROM t')).toEqual([{ id: 1, note: 'new' }]);
  });

  it('cancels a statement that runs past the statement timeout instead of hanging', async () => {
    const db = await connect({ statementTimeoutMs: 200 });
    expect(await errorOf(db.get('SELECT pg_sleep(5)'))).toMatchObject({ code: '57014' });
    expect(await db.get('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('gives up on a connection whose server went silent (store_unavailable), and works again on a new one', async () => {
    // Between the pool and PostgreSQL: forwards both ways until told to drop the server's answers, as a killed or
    // frozen server (or a cut link) leaves a connection open with no answer ever coming.
    let silent = false;
    const target = new URL(url);
    const proxy = createServer((client) => {
      const upstream = connectTcp(Number(target.port), target.hostname);
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (!silent) client.write(chunk);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxied = new URL(url);
      proxied.host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const db = await openPostgresDb(proxied.toString(), { poolSize: 1, queryTimeoutMs: 1_000 });
      opened.push(db);
      expect(await db.get('SELECT 1 AS one')).toEqual({ one: 1 });

      silent = true;
      // Before the client-side limit these waited for ever, and every later statement queued behind them.
      expect(await errorOf(db.get('SELECT 2 AS two'))).toMatchObject({ code: 'store_unavailable' });
      expect(await errorOf(db.transaction((tx) => tx.get('SELECT 3 AS three')))).toMatchObject({
        code: 'store_unavailable',
      });

      silent = false;
      // The silent connections were destroyed, not given back: a new one answers.
      expect(await db.get('SELECT 4 AS four')).toEqual({ four: 4 });
      expect(await db.transaction((tx) => tx.get('SELECT 5 AS five'))).toEqual({ five: 5 });
    } finally {
      proxy.close();
    }
  });

  it('runs a slow statement beside others: they are answered while it still runs', async () => {
    const db = await connect();
    const order: string[] = [];
    const slow = db.get('SELECT pg_sleep(1)').then(() => order.push('slow'));
    for (let i = 0; i < 3; i++) {
      await db.get('SELECT ? AS i', [i]);
      order.push(`quick ${i}`);
    }
    await slow;
    expect(order).toEqual(['quick 0', 'quick 1', 'quick 2', 'slow']);
  });

  it('commits a transaction on one connection, rolls it back when it rejects, and nests with savepoints', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const pids = await db.transaction(async (tx) => {
      const first = await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await tx.run('INSERT INTO t VALUES (1)');
      const second = await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return [first?.pid, second?.pid];
    });
    expect(pids[0]).toBe(pids[1]);
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (2)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (3)');
      expect(await errorOf(tx.transaction((inner) => inner.run('INSERT INTO t VALUES (1)')))).toMatchObject({
        constraint: 'primary_key',
      });
      await tx.run('INSERT INTO t VALUES (4)');
    });
    expect((await db.all<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual([1, 3, 4]);
  });

  it('keeps a transaction’s writes invisible to other statements until it commits', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inserted = new Promise<void>((resolve) => {
      void db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        resolve();
        await held;
      });
    });
    await inserted;
    expect(await db.all('SELECT id FROM t')).toEqual([]);
    release();
    await expect.poll(() => db.all('SELECT id FROM t')).toEqual([{ id: 1 }]);
  });

  it('refuses statements on a transaction handle after its end, and on the outer handle inside it', async () => {
    const db = await connect();
    let leaked: Parameters<Parameters<SqlDb['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
      await expect(db.get('SELECT 1')).rejects.toThrow(/use the transaction handle/);
    });
    await expect(leaked?.get('SELECT 1')).rejects.toBeInstanceOf(TransactionEndedError);
  });

  it('fails a transaction whose connection died with store_unavailable, then reconnects', async () => {
    const db = await connect();
    const killer = await connect();
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const lost = await errorOf(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        const pid = (await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))?.pid;
        await killer.get('SELECT pg_terminate_backend(?)', [pid ?? 0]);
        await tx.run('INSERT INTO t VALUES (2)');
      }),
    );
    expect(lost).toBeInstanceOf(BeaconError);
    expect((lost as BeaconError).code).toBe('store_unavailable');
    // The broken connection left the pool; the next statement gets another. The dead transaction left nothing.
    expect(await db.isOpen()).toBe(true);
    expect(await db.all('SELECT id FROM t')).toEqual([]);
  });

  it('reports a server that is gone: store_unavailable and not ready', async () => {
    const own = await startPostgres();
    try {
      const store = await openStore({ file: 'unused', databaseUrl: await own.createDatabase('gone') });
      try {
        expect(await store.isReady()).toBe(true);
        await own.stop();
        expect(await store.isReady()).toBe(false);
        const err = await errorOf(store.users.list());
        expect(err).toBeInstanceOf(BeaconError);
        expect((err as BeaconError).code).toBe('store_unavailable');
      } finally {
        await store.close();
      }
    } finally {
      await own.stop();
    }
  });

  it('refuses to open when the server cannot be reached', async () => {
    const own = await startPostgres();
    const unreachable = own.url('postgres');
    await own.stop();
    const err = await errorOf(openStore({ file: 'unused', databaseUrl: unreachable }));
    expect(err).toBeInstanceOf(BeaconError);
    expect((err as BeaconError).code).toBe('store_unavailable');
  });
});
