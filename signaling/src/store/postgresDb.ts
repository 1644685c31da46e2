/**
 * SqlDb on PostgreSQL: a `pg` pool, so statements of different callers run
 * at the same time on different connections and a slow one delays only its
 * own caller. A transaction takes one pooled connection for all its
 * statements (BEGIN … COMMIT on it) and gives it back at the end.
 *
 * Statements are named prepared statements (`?` → `$n`), parsed once per
 * connection. Failures: a statement PostgreSQL refuses throws SqlError (with
 * the same constraint kinds as SQLite); a connection that is gone throws
 * BeaconError 'store_unavailable' and is dropped from the pool, so the next
 * statement connects again.
 */
import { BeaconError } from '@beacon/protocol';
import pg from 'pg';
import { createLogger } from '../logger.ts';
import { constraintKind, isUnavailable, sqlStateOf } from './postgresErrors.ts';
import { type SqlDb, SqlError, type SqlQueries, type SqlValue } from './sqlDb.ts';
import { type StatementRunner, TransactionContext, type TransactionScope, transactionHandle } from './transactions.ts';

const log = createLogger('store');

export interface PostgresDbOptions {
  /** PostgreSQL's statement_timeout for every statement. Default 10 s. */
  statementTimeoutMs?: number;
  /** Limit for connecting and for waiting for a free pooled connection. Default 5 s. */
  connectTimeoutMs?: number;
  /** Connections at most; statements beyond wait for a free one. Default 10. */
  poolSize?: number;
  /**
   * How long the client waits for a statement's answer before it gives up on the connection (the server's
   * statement_timeout cannot fire when the server is gone). Default the statement timeout + 5 s.
   */
  queryTimeoutMs?: number;
}

/** How long `isOpen` waits for its round trip before it says no. */
const PROBE_TIMEOUT_MS = 2_000;

/** int8 (COUNT(*), BIGINT ids) as numbers, like SQLite gives them; ids stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? Number
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** `?` → `$1, $2, …`, leaving quoted strings, quoted identifiers and comments alone. */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    if (quote) {
      out += c;
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '-' && sql[i + 1] === '-') quote = '\n';
    out += c === '?' ? `$${++n}` : c;
  }
  return out;
}

/** The URL without its password, for logs and `Store.file`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

type Queryable = pg.Pool | pg.PoolClient;

/** How long after the server's statement_timeout the client stops waiting for an answer. */
const QUERY_TIMEOUT_MARGIN_MS = 5_000;

/** Connects (waits for one round trip) and returns the SqlDb; throws 'store_unavailable' when it cannot. */
export async function openPostgresDb(url: string, opts: PostgresDbOptions = {}): Promise<SqlDb> {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: 'beacon-signaling',
    statement_timeout: opts.statementTimeoutMs ?? 10_000,
    // The server's statement_timeout cannot fire on a connection the server lost (killed, restarting): then the
    // query's promise would wait for ever, and every ack queued behind it with it. 5 s past the server's limit the
    // client gives up; the error has no SQLSTATE, counts as unavailable, and the connection is destroyed.
    query_timeout: opts.queryTimeoutMs ?? (opts.statementTimeoutMs ?? 10_000) + QUERY_TIMEOUT_MARGIN_MS,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
    max: opts.poolSize ?? 10,
    types,
  });
  let closed = false;
  // Logged on changes only: an outage must not log once per request.
  let available = true;
  const setAvailable = (now: boolean, detail?: string) => {
    if (now === available) return;
    available = now;
    if (now) log.info('PostgreSQL reachable again');
    else log.warn({ detail }, 'PostgreSQL unavailable');
  };
  // An idle pooled connection that dies (server restart): the pool drops it; without a listener it would crash us.
  pool.on('error', (err) => setAvailable(false, err.message));

  /** SQL text → prepared statement name and text; the same name means the same text on every connection. */
  const statements = new Map<string, { name: string; text: string }>();
  let statementCount = 0;
  const statement = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = { name: `beacon_${++statementCount}`, text: numberPlaceholders(sql) };
      statements.set(sql, s);
    }
    return s;
  };

  /** Our error for a failed statement; the detail (addresses, server messages) goes to the log, not to clients. */
  const failure = (err: unknown): Error => {
    if (err instanceof BeaconError || err instanceof SqlError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (isUnavailable(err)) {
      setAvailable(false, message);
      return new BeaconError('store_unavailable', 'the database is unavailable', { cause: err });
    }
    setAvailable(true);
    const constraint = (err as { constraint?: string }).constraint;
    return new SqlError(message, sqlStateOf(err) ?? '', constraintKind(sqlStateOf(err), constraint), { cause: err });
  };

  /**
   * Runs `use` on one pooled connection and gives it back; `release(destroy)` decides whether it
   * returns to the pool. While checked out, its 'error' events (the server ended it) are ours to
   * handle, or they would crash the process; the statement in flight fails on its own.
   */
  const withClient = async <T>(
    use: (client: pg.PoolClient, release: { destroy: boolean | Error | undefined }) => Promise<T>,
  ): Promise<T> => {
    if (closed) throw new BeaconError('store_unavailable', 'the store is closed');
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw failure(err);
    }
    const onError = (err: Error) => setAvailable(false, err.message);
    client.on('error', onError);
    const release: { destroy: boolean | Error | undefined } = { destroy: undefined };
    try {
      return await use(client, release);
    } finally {
      client.off('error', onError);
      client.release(release.destroy);
    }
  };

  const query = async (on: Queryable, sql: string, params: readonly SqlValue[], retry: boolean) => {
    if (closed) throw new BeaconError('store_unavailable', 'the store is closed');
    const values = [...params];
    const s = statement(sql);
    try {
      const result = await on.query({ name: s.name, text: s.text, values });
      setAvailable(true);
      return result;
    } catch (err) {
      // "cached plan must not change result type": a newer node migrated a table under a prepared
      // `SELECT *`. Prepare it again under a new name; retried only outside a transaction (inside
      // one the error aborted it anyway).
      if (sqlStateOf(err) !== '0A000') throw failure(err);
      statements.delete(sql);
      if (!retry) throw failure(err);
      const again = statement(sql);
      return on.query({ name: again.name, text: again.text, values }).catch((e: unknown) => {
        throw failure(e);
      });
    }
  };
  const exec = async (on: Queryable, sql: string) => {
    if (closed) throw new BeaconError('store_unavailable', 'the store is closed');
    try {
      await on.query(sql);
      setAvailable(true);
    } catch (err) {
      throw failure(err);
    }
  };
  const runnerOn = (on: Queryable, retry: boolean): StatementRunner => ({
    get: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await query(on, sql, params, retry)).rows[0] as T | undefined,
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(on, sql, params, retry)).rows as T[],
    run: async (sql, params = []) => ({ changes: (await query(on, sql, params, retry)).rowCount ?? 0 }),
    exec: (sql) => exec(on, sql),
  });

  const context = new TransactionContext();
  const onPool = runnerOn(pool, true);
  const transaction = async <T>(fn: (tx: SqlQueries) => Promise<T>): Promise<T> => {
    context.assertOutside();
    return withClient(async (client, release) => {
      const runner = runnerOn(client, false);
      // A connection that failed under us is destroyed on release instead of going back to the pool.
      const track = <R>(statement: Promise<R>) =>
        statement.catch((err: unknown) => {
          if (err instanceof BeaconError && err.code === 'store_unavailable') release.destroy = err;
          throw err;
        });
      const tracked: StatementRunner = {
        get: (sql, params) => track(runner.get(sql, params)),
        all: (sql, params) => track(runner.all(sql, params)),
        run: (sql, params) => track(runner.run(sql, params)),
        exec: (sql) => track(runner.exec(sql)),
      };
      const scope: TransactionScope = { open: true };
      try {
        await tracked.exec('BEGIN');
        const result = await context.run(scope, () => fn(transactionHandle('postgres', tracked, scope)));
        scope.open = false;
        await tracked.exec('COMMIT');
        return result;
      } catch (err) {
        scope.open = false;
        if (!release.destroy) await tracked.exec('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  };

  const db: SqlDb = {
    dialect: 'postgres',
    get: async <T>(sql: string, params?: readonly SqlValue[]) => {
      context.assertOutside();
      return onPool.get<T>(sql, params);
    },
    all: async <T>(sql: string, params?: readonly SqlValue[]) => {
      context.assertOutside();
      return onPool.all<T>(sql, params);
    },
    run: async (sql, params) => {
      context.assertOutside();
      return onPool.run(sql, params);
    },
    exec: async (sql) => {
      context.assertOutside();
      return onPool.exec(sql);
    },
    transaction,
    exclusive: (key, fn) =>
      withClient(async (client, release) => {
        // Session-level: released by the unlock, or with the connection if this process dies.
        // A connection that may still hold the lock is closed rather than pooled.
        release.destroy = true;
        await query(client, 'SELECT pg_advisory_lock(?)', [key], false);
        try {
          return await fn();
        } finally {
          await query(client, 'SELECT pg_advisory_unlock(?)', [key], false);
          release.destroy = false;
        }
      }),
    isOpen: async () => {
      if (closed) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
      });
      try {
        return await Promise.race([exec(pool, 'SELECT 1').then(() => true), timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
    },
  };

  try {
    await exec(pool, 'SELECT 1');
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
