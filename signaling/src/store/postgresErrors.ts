/** How PostgreSQL's errors map onto the store's: constraint kinds and "the database is unavailable". */
import type { ConstraintKind } from './sqlDb.ts';

export function constraintKind(
  sqlState: string | undefined,
  constraint: string | undefined,
): ConstraintKind | undefined {
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

/** The SQLSTATE of a `pg` error, undefined for errors without one (sockets, timeouts). */
export const sqlStateOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

/** SQLSTATE classes 08 (connection), 57P0x (server shutting down), or no SQLSTATE at all (sockets, timeouts). */
export function isUnavailable(err: unknown): boolean {
  const sqlState = sqlStateOf(err);
  return sqlState === undefined || sqlState.startsWith('08') || /^57P0[1-3]$/.test(sqlState);
}
