/** SqlDb on one better-sqlite3 connection (the embedded default). Statements are prepared once per SQL text. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import { type ConstraintKind, type SqlDb, SqlError, type SqlValue } from './sqlDb.ts';

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
  const guarded = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw toSqlError(err);
    }
  };
  return {
    dialect: 'sqlite',
    get: <T>(sql: string, params: readonly SqlValue[] = []) =>
      guarded(() => prepare(sql).get(...params) as T | undefined),
    all: <T>(sql: string, params: readonly SqlValue[] = []) => guarded(() => prepare(sql).all(...params) as T[]),
    run: (sql, params = []) => guarded(() => ({ changes: prepare(sql).run(...params).changes })),
    exec: (sql) => guarded(() => void db.exec(sql)),
    // IMMEDIATE: take the write lock at BEGIN, so a read-then-write cannot be
    // overtaken by another process between its read and its write.
    transaction: (fn) => guarded(() => db.transaction(fn).immediate()),
    isOpen: () => db.open,
    close: () => {
      if (db.open) db.close();
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
