/**
 * SqlDb on one better-sqlite3 connection (the embedded default). Statements
 * are prepared once per SQL text and run synchronously inside the async API:
 * SQLite answers in microseconds from the page cache, a commit waits for one
 * fsync.
 *
 * One connection means one transaction at a time, and a transaction's
 * callback awaits between its statements: without care another caller's
 * statement would run inside it (and be rolled back with it). So a
 * transaction holds an AsyncLock from BEGIN to COMMIT, and statements outside
 * transactions queue behind it; the transaction's own statements go through
 * its handle, which does not take the lock.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BeaconError } from '@beacon/protocol';
import type { Database, Statement } from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import { type ConstraintKind, type SqlDb, SqlError, type SqlValue } from './sqlDb.ts';
import {
  AsyncLock,
  type StatementRunner,
  TransactionContext,
  type TransactionScope,
  transactionHandle,
} from './transactions.ts';

const BUSY_TIMEOUT_MS = 5000;

const CONSTRAINTS: Record<string, ConstraintKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'primary_key',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
};

function toSqlError(err: unknown): unknown {
  if (!(err instanceof SqliteDatabase.SqliteError)) return err;
  return new SqlError(err.message, err.code, CONSTRAINTS[err.code], { cause: err });
}

/** Wraps an open better-sqlite3 connection; closing the SqlDb closes it. */
export function sqliteDb(db: Database): SqlDb {
  const statements = new Map<string, Statement<unknown[]>>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[]>(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  /** Runs a synchronous statement as a settled promise, errors as SqlError. */
  const guarded = <T>(fn: () => T): Promise<T> => {
    try {
      if (!db.open) throw new BeaconError('store_unavailable', 'the store is closed');
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(toSqlError(err));
    }
  };
  const runner: StatementRunner = {
    get: <T>(sql: string, params: readonly SqlValue[] = []) =>
      guarded(() => prepare(sql).get(...params) as T | undefined),
    all: <T>(sql: string, params: readonly SqlValue[] = []) => guarded(() => prepare(sql).all(...params) as T[]),
    run: (sql, params = []) => guarded(() => ({ changes: prepare(sql).run(...params).changes })),
    exec: (sql) => guarded(() => void db.exec(sql)),
  };
  const lock = new AsyncLock();
  const context = new TransactionContext();
  /** A statement outside transactions: at once when nobody holds the connection, else in turn. */
  const outside = <T>(statement: () => Promise<T>): Promise<T> => {
    try {
      context.assertOutside();
    } catch (err) {
      return Promise.reject(err);
    }
    return lock.pending === 0 ? statement() : lock.run(statement);
  };
  let closed = false;

  return {
    dialect: 'sqlite',
    get: (sql, params) => outside(() => runner.get(sql, params)),
    all: (sql, params) => outside(() => runner.all(sql, params)),
    run: (sql, params) => outside(() => runner.run(sql, params)),
    exec: (sql) => outside(() => runner.exec(sql)),
    transaction: (fn) => {
      try {
        context.assertOutside();
      } catch (err) {
        return Promise.reject(err);
      }
      return lock.run(async () => {
        // IMMEDIATE: take the write lock at BEGIN, so a read-then-write cannot be
        // overtaken by another process between its read and its write.
        await runner.exec('BEGIN IMMEDIATE');
        const scope: TransactionScope = { open: true };
        try {
          const result = await context.run(scope, () => fn(transactionHandle('sqlite', runner, scope)));
          scope.open = false;
          await runner.exec('COMMIT');
          return result;
        } catch (err) {
          scope.open = false;
          if (db.open && db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      });
    },
    exclusive: (_key, fn) => fn(),
    isOpen: async () => db.open && !closed,
    close: async () => {
      if (closed) return;
      closed = true;
      // After the statements and transactions already queued.
      await lock.run(() => {
        if (db.open) db.close();
      });
    },
  };
}

/**
 * Opens (creating it and its directory) a SQLite file in WAL mode with
 * foreign keys on. ':memory:' works for tests.
 */
export function openSqliteDb(file: string): SqlDb {
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new SqliteDatabase(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    if (!inMemory) db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power cut could lose a
    // township's 签收 that was already answered ok. A few ms per commit is cheap for that promise.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return sqliteDb(db);
}
