/**
 * What every administered kind shares in SQL: a searched, paged listing with
 * its total, a unique-value check that names the field, and the generic
 * update/enable of one row that returns it before and after (for the audit).
 */
import { BeaconError } from '@beacon/protocol';
import type { Change, PageQuery, PageResult } from './StoreTypes.ts';
import { constraintOf, type SqlQueries, type SqlValue } from './sqlDb.ts';

/** `%` and `_` are literal in a search, not wildcards. */
const likePattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface PageSpec {
  /** FROM clause: a table, or a table with joins; its columns are what `search` and `orderBy` name. */
  from: string;
  /** Columns searched with a case-insensitive substring match. */
  search: readonly string[];
  orderBy: string;
  /** Extra conditions with their parameters, ANDed. */
  where?: { sql: string; params: readonly SqlValue[] }[];
  /** The column holding 0/1 `enabled` (default `enabled`). */
  enabledColumn?: string;
}

/** One page of rows matching `query`, and how many match in all. */
export async function pageRows<Row>(db: SqlQueries, spec: PageSpec, query: PageQuery): Promise<PageResult<Row>> {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  for (const extra of spec.where ?? []) {
    conditions.push(extra.sql);
    params.push(...extra.params);
  }
  if (query.enabled !== undefined) {
    conditions.push(`${spec.enabledColumn ?? 'enabled'} = ?`);
    params.push(query.enabled ? 1 : 0);
  }
  const q = query.q?.trim();
  if (q) {
    conditions.push(`(${spec.search.map((c) => `LOWER(COALESCE(${c}, '')) LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    for (const _ of spec.search) params.push(likePattern(q));
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${spec.from} ${where}`, params))?.n ?? 0;
  const rows = await db.all<Row>(`SELECT * FROM ${spec.from} ${where} ORDER BY ${spec.orderBy} LIMIT ? OFFSET ?`, [
    ...params,
    query.pageSize,
    (query.page - 1) * query.pageSize,
  ]);
  return { items: rows, total: Number(total) };
}

/**
 * Throws `conflict` naming `field` when another row of `table` has `value` in
 * `column`. Checked inside the writing transaction; the database's own unique
 * index stays the last word (see `rethrowConstraint`).
 */
export async function assertFree(
  db: SqlQueries,
  spec: { table: string; column: string; field: string; label: string },
  value: string | null | undefined,
  exceptId?: string,
): Promise<void> {
  if (value === null || value === undefined) return;
  const row = await db.get<{ id: string }>(
    `SELECT id FROM ${spec.table} WHERE ${spec.column} = ?${exceptId === undefined ? '' : ' AND id <> ?'}`,
    exceptId === undefined ? [value] : [value, exceptId],
  );
  if (row)
    throw BeaconError.conflict(spec.field, `${spec.label}“${value}”已被使用 / ${spec.field} "${value}" is taken`);
}

/** A constraint the checks above did not catch (two admins at once): the same coded answers. */
export function rethrowConstraint(err: unknown, uniqueField: string, what: string): never {
  const kind = constraintOf(err);
  if (kind === 'unique' || kind === 'primary_key') {
    throw BeaconError.conflict(uniqueField, `${what} already exists (${uniqueField} is taken)`);
  }
  if (kind === 'foreign_key') throw BeaconError.badRequest(`${what}: unknown township or department`);
  if (kind === 'check' || kind === 'not_null') throw BeaconError.badRequest(`${what}: invalid value`);
  throw err;
}

/**
 * Reads the row, writes `set` (column → value), reads it again: the change as
 * the audit records it. `not_found` for an unknown id. Runs in a transaction.
 */
export async function updateRow<Row, View>(
  db: SqlQueries,
  spec: { table: string; what: string; toView: (row: Row) => View },
  id: string,
  set: Record<string, SqlValue>,
  check?: (tx: SqlQueries, before: View) => Promise<void>,
): Promise<Change<View>> {
  return db.transaction(async (tx) => {
    const read = async () => {
      const row = await tx.get<Row>(`SELECT * FROM ${spec.table} WHERE id = ?`, [id]);
      if (!row) throw BeaconError.notFound(spec.what);
      return spec.toView(row);
    };
    const before = await read();
    await check?.(tx, before);
    const columns = Object.keys(set);
    if (columns.length > 0) {
      await tx.run(`UPDATE ${spec.table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [
        ...Object.values(set),
        id,
      ]);
    }
    return { before, after: await read() };
  });
}

/** Drops keys whose value is undefined (a PATCH leaves them as they are), renaming to columns. */
export function columnsOf(patch: Record<string, unknown>, columns: Record<string, string>): Record<string, SqlValue> {
  const set: Record<string, SqlValue> = {};
  for (const [key, column] of Object.entries(columns)) {
    const value = patch[key];
    if (value !== undefined) set[column] = value as SqlValue;
  }
  return set;
}
