/**
 * The one thing the repositories know about a database: asynchronous queries
 * with `?` placeholders, written in the SQL that SQLite and PostgreSQL share
 * (INSERT … RETURNING id, ON CONFLICT DO NOTHING, CASE instead of booleans).
 * Implemented on better-sqlite3 (sqliteDb.ts) and on a `pg` pool
 * (postgresDb.ts). A write has committed when its promise resolves, so a
 * caller that awaited it may answer "ok".
 *
 * Tables listed in insertion order carry a `rowid` column on PostgreSQL too
 * (an identity column), so `ORDER BY rowid` means the same on both.
 */

export type Dialect = 'sqlite' | 'postgres';

/** What a parameter may be. Booleans are stored as 0/1 by the callers. */
export type SqlValue = string | number | bigint | Buffer | null;

/** Statements, on the database or inside one transaction. */
export interface SqlQueries {
  readonly dialect: Dialect;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A statement without rows; `changes` counts the rows it wrote. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction and commits when its promise resolves; rolls
   * back and rethrows when it rejects. Every statement of the transaction goes
   * through `tx` (statements on the outer handle run outside it — on SQLite
   * they wait until it has ended). `tx.transaction` nests with a savepoint;
   * nested transactions of one `tx` run one after the other, not in parallel.
   */
  transaction<T>(fn: (tx: SqlQueries) => Promise<T>): Promise<T>;
}

export interface SqlDb extends SqlQueries {
  /**
   * Runs `fn` while holding the database-wide lock `key` (PostgreSQL: an
   * advisory lock on one pooled connection, so processes sharing the database
   * take turns; SQLite: one process per file, `fn` just runs).
   */
  exclusive<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /** Open and answering (PostgreSQL: a round trip to the server). */
  isOpen(): Promise<boolean>;
  /** Idempotent; waits for running statements of SQLite, ends PostgreSQL's pool. */
  close(): Promise<void>;
}

/** The constraint kinds the repositories turn into 'bad_request' answers. */
export type ConstraintKind = 'unique' | 'primary_key' | 'foreign_key' | 'check' | 'not_null';

/**
 * Every failed statement, whichever the database: the repositories switch on
 * `constraint` instead of on SQLite's or PostgreSQL's own codes.
 */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  constructor(
    message: string,
    /** The database's own code: 'SQLITE_CONSTRAINT_UNIQUE', SQLSTATE '23505', … */
    readonly code: string,
    readonly constraint: ConstraintKind | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The violated constraint's kind when `err` is a constraint violation. */
export function constraintOf(err: unknown): ConstraintKind | undefined {
  return err instanceof SqlError ? err.constraint : undefined;
}

/** A transaction handle used after its transaction ended: a bug in the caller (a statement not awaited). */
export class TransactionEndedError extends Error {
  override readonly name = 'TransactionEndedError';
  constructor() {
    super('statement on a transaction that has ended (was a statement not awaited?)');
  }
}
