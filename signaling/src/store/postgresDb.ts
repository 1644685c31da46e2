/**
 * SqlDb on PostgreSQL, synchronous like better-sqlite3: a worker thread
 * (postgresWorker.cjs) owns one `pg` connection; each call posts its request
 * and blocks on `Atomics.wait` until the worker has put the answer on a
 * MessagePort, taken with `receiveMessageOnPort`. One connection, one request
 * at a time: a transaction is BEGIN … COMMIT on it, nobody else's statements
 * can slip in. Costs a thread hop per statement (see the bench in the report);
 * the main thread waits for PostgreSQL just as it waits for SQLite's fsync.
 *
 * Failures: a statement PostgreSQL refuses throws SqlError (with the same
 * constraint kinds as SQLite); a connection that is gone throws BeaconError
 * 'store_unavailable', and the next statement outside a transaction connects
 * again. A worker that does not answer at all (it cannot, short of a bug) is
 * ended after the deadline and the SqlDb stays closed.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { type ConstraintKind, type SqlDb, SqlError, type SqlValue } from './sqlDb.ts';

const log = createLogger('store');

const WORKER_FILE = fileURLToPath(new URL('./postgresWorker.cjs', import.meta.url));

export interface PostgresDbOptions {
  /** PostgreSQL's statement_timeout for every statement. Default 10 s. */
  statementTimeoutMs?: number;
  /** Limit for connecting and reconnecting. Default 5 s. */
  connectTimeoutMs?: number;
}

type Request =
  | { op: 'query'; sql: string; params: readonly SqlValue[]; reconnect: boolean }
  | { op: 'exec'; sql: string; reconnect: boolean }
  | { op: 'close' };

interface WorkerError {
  message: string;
  sqlState: string | undefined;
  constraint: string | undefined;
  unavailable: boolean;
}

type Answer = { ok: true; rows: Record<string, unknown>[]; changes: number } | { ok: false; error: WorkerError };

function constraintKind(sqlState: string | undefined, constraint: string | undefined): ConstraintKind | undefined {
  switch (sqlState) {
    case '23505':
      // Primary keys are named <table>_pkey by PostgreSQL; other unique indexes by the migrations.
      return constraint?.endsWith('_pkey') ? 'primary_key' : 'unique';
    case '23503':
      return 'foreign_key';
    case '23514':
      return 'check';
    case '23502':
      return 'not_null';
    default:
      return undefined;
  }
}

/** bytea values come back from the worker as plain Uint8Arrays. */
function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return row;
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

/** Connects (synchronously: it blocks until connected or failed) and returns the SqlDb. */
export function openPostgresDb(url: string, opts: PostgresDbOptions = {}): SqlDb {
  const statementTimeoutMs = opts.statementTimeoutMs ?? 10_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  // Longest a healthy worker can take: a reconnect plus one statement; then some slack.
  const deadlineMs = statementTimeoutMs + connectTimeoutMs + 5_000;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_FILE, {
    execArgv: [],
    workerData: {
      url,
      pgPath: createRequire(import.meta.url).resolve('pg'),
      signal: signal.buffer,
      port: port2,
      statementTimeoutMs,
      connectTimeoutMs,
    },
    transferList: [port2],
  });
  // An uncaught error in the worker is a bug there; the request waiting for it fails at its deadline.
  worker.on('error', (err) => log.error({ err }, 'PostgreSQL worker failed'));
  // Never keeps the process alive; close() ends it.
  worker.unref();
  port1.unref();
  let closed = false;
  let depth = 0;
  // Logged on changes only: an outage must not log once per request.
  let available = true;
  const setAvailable = (now: boolean, detail?: string) => {
    if (now === available) return;
    available = now;
    if (now) log.info('PostgreSQL reachable again');
    else log.warn({ detail }, 'PostgreSQL unavailable');
  };

  const shutDown = () => {
    closed = true;
    port1.close();
    void worker.terminate();
  };

  const call = (request: Request): Answer & { ok: true } => {
    if (closed) throw new BeaconError('store_unavailable', 'the store is closed');
    Atomics.store(signal, 0, 0);
    worker.postMessage(request);
    const waited = Atomics.wait(signal, 0, 0, deadlineMs);
    const answer = receiveMessageOnPort(port1)?.message as Answer | undefined;
    if (waited === 'timed-out' || !answer) {
      shutDown();
      log.error({ deadlineMs }, 'PostgreSQL worker did not answer; store closed');
      throw new BeaconError('store_unavailable', `the database did not answer within ${deadlineMs} ms`);
    }
    if (answer.ok) {
      setAvailable(true);
      return answer;
    }
    const { error } = answer;
    setAvailable(!error.unavailable, error.message);
    // The detail (addresses, server messages) goes to the log, not to clients.
    if (error.unavailable) throw new BeaconError('store_unavailable', 'the database is unavailable', { cause: error });
    throw new SqlError(error.message, error.sqlState ?? '', constraintKind(error.sqlState, error.constraint));
  };
  const query = (sql: string, params: readonly SqlValue[] = []) =>
    call({ op: 'query', sql, params, reconnect: depth === 0 });
  const exec = (sql: string, reconnect = depth === 0) => void call({ op: 'exec', sql, reconnect });

  try {
    exec('SELECT 1');
  } catch (err) {
    shutDown();
    throw err;
  }

  return {
    dialect: 'postgres',
    get: <T>(sql: string, params?: readonly SqlValue[]) => {
      const row = query(sql, params).rows[0];
      return row && (withBuffers(row) as T);
    },
    all: <T>(sql: string, params?: readonly SqlValue[]) => query(sql, params).rows.map(withBuffers) as T[],
    run: (sql, params) => ({ changes: query(sql, params).changes }),
    exec: (sql) => exec(sql),
    transaction: <T>(fn: () => T): T => {
      const savepoint = depth === 0 ? undefined : `beacon_sp${depth}`;
      exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
      depth++;
      let result: T;
      try {
        result = fn();
        if (result instanceof Promise) throw new TypeError('a store transaction must be synchronous');
      } catch (err) {
        depth--;
        try {
          exec(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` : 'ROLLBACK', false);
        } catch {
          // The connection is gone and the transaction with it: the original error says more.
        }
        throw err;
      }
      depth--;
      // Never reconnect for COMMIT: on a new connection it would "succeed" without the transaction's writes.
      exec(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT', false);
      return result;
    },
    isOpen: () => {
      if (closed) return false;
      try {
        exec('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => {
      if (closed) return;
      try {
        call({ op: 'close' });
      } catch {
        // Closing anyway.
      }
      shutDown();
    },
  };
}
