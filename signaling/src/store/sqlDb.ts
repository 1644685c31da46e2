/**
 * The one thing the repositories know about a database: synchronous queries
 * with `?` placeholders, written in the SQL that SQLite and PostgreSQL share
 * (INSERT … RETURNING id, ON CONFLICT DO NOTHING, CASE instead of booleans).
 * Implemented on better-sqlite3 (sqliteDb.ts) and, through a worker thread,
 * on PostgreSQL (postgresDb.ts). Synchronous because the Store interface is:
 * a write has committed when the call returns, so a caller may answer "ok".
 *
 * Tables listed in insertion order carry a `rowid` column on PostgreSQL too
 * (an identity column), so `ORDER BY rowid` means the same on both.
 */

export type Dialect = 'sqlite' | 'postgres';

/** What a parameter may be. Booleans are stored as 0/1 by the callers. */
export type SqlValue = string | number | bigint | Buffer | null;

export interface SqlDb {
  readonly dialect: Dialect;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): T | undefined;
  all<T>(sql: string, params?: readonly SqlValue[]): T[];
  /** A statement without rows; `changes` counts the rows it wrote. */
  run(sql: string, params?: readonly SqlValue[]): { changes: number };
  /** Several statements, no parameters (migrations). */
  exec(sql: string): void;
  /**
   * Runs `fn` in a transaction (nested calls: a savepoint) and commits when it
   * returns; rolls back and rethrows when it throws. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T;
  /** Open and answering. */
  isOpen(): boolean;
  /** Idempotent. */
  close(): void;
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
