/**
 * The audit log: append-only in the database (migration 4's triggers) and
 * hash-chained (audit/auditChain.ts; columns from the audit-chain migration).
 *
 * Appends are serialised so the chain stays linear under concurrency: each
 * reads the chain's head and inserts the next row inside one transaction that
 * holds
 * - SQLite: the store's one connection (its FIFO transaction lock, and BEGIN
 *   IMMEDIATE's write lock against other processes);
 * - PostgreSQL: a transaction-level advisory lock (`pg_advisory_xact_lock`),
 *   released by COMMIT/ROLLBACK — after the row is visible to the next holder,
 *   whose READ COMMITTED head read then sees it. Chosen over `SELECT … FOR
 *   UPDATE` on a chain-head row: the same serialisation without a second row
 *   written (and WAL'd) per entry, and ids come from the identity sequence
 *   while the lock is held, so id order is chain order.
 * Inside a caller's transaction the lock is held until that transaction ends:
 * append the audit entry as its last statement (audit/auditedChange.ts does),
 * so no other lock is taken while holding it.
 */
import { type ChainAlgorithm, chainHash, GENESIS_HASH, preferredAlgorithm } from '../audit/auditChain.ts';
import type { AuditChainRow, AuditEntry, AuditRepository } from './StoreTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  actor_role: string | null;
  prev_hash: string | null;
  hash: string | null;
  hash_alg: string | null;
}

/** Any fixed 64-bit number, the same on every node: "audit" in ASCII. */
const AUDIT_CHAIN_LOCK_KEY = 0x61_7564_6974;
const DEFAULT_AUDIT_LIMIT = 100;
const MAX_AUDIT_LIMIT = 1000;
/** Rows read per query when folding the rows written before the chain. */
const LEGACY_PAGE = 1000;

const toAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  role: r.actor_role,
  action: r.action,
  target: r.target,
  detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
});

const toChainRow = (r: AuditRow): AuditChainRow => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  role: r.actor_role,
  action: r.action,
  target: r.target,
  detail: r.detail,
  // Undefined on a database not migrated to the chain yet (read by `npm run audit:verify`): no hashes.
  prevHash: r.prev_hash ?? null,
  hash: r.hash ?? null,
  hashAlg: r.hash_alg ?? null,
});

async function chainPage(q: SqlQueries, afterId: number, limit: number): Promise<AuditChainRow[]> {
  const rows = await q.all<AuditRow>('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?', [afterId, limit]);
  return rows.map(toChainRow);
}

/** The hash the unchained rows (all of them: the head is one) would end a chain with: the first link's prev_hash. */
async function legacySeal(q: SqlQueries, alg: ChainAlgorithm): Promise<string> {
  let prev = GENESIS_HASH;
  let afterId = 0;
  for (;;) {
    const page = await chainPage(q, afterId, LEGACY_PAGE);
    for (const row of page) prev = chainHash(alg, prev, row);
    const last = page.at(-1);
    if (!last || page.length < LEGACY_PAGE) return prev;
    afterId = last.id;
  }
}

/**
 * `db` is the store's database, or a transaction's handle (`inTransaction`):
 * then the entry is written in that transaction and stands or falls with it.
 * `alg` defaults to SM3 where OpenSSL has it, else SHA-256.
 */
export function auditRepository(
  db: SqlQueries,
  inTransaction: boolean,
  alg: ChainAlgorithm = preferredAlgorithm(),
): AuditRepository {
  const appendOn = async (q: SqlQueries, entry: Parameters<AuditRepository['append']>[0]) => {
    const { actorId, role = null, action, target = null, detail } = entry;
    const content = {
      at: new Date().toISOString(),
      actorId,
      role,
      action,
      target,
      detail: detail === undefined ? null : (JSON.stringify(detail) ?? null),
    };
    if (q.dialect === 'postgres') await q.get('SELECT pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK_KEY]);
    const head = await q.get<{ hash: string | null }>('SELECT hash FROM audit ORDER BY id DESC LIMIT 1');
    const prev = head === undefined ? GENESIS_HASH : (head.hash ?? (await legacySeal(q, alg)));
    await q.run(
      `INSERT INTO audit (at, actor_id, actor_role, action, target, detail, prev_hash, hash, hash_alg)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        content.at,
        content.actorId,
        content.role,
        content.action,
        content.target,
        content.detail,
        prev,
        chainHash(alg, prev, content),
        alg,
      ],
    );
  };
  return {
    append: (entry) => (inTransaction ? appendOn(db, entry) : db.transaction((tx) => appendOn(tx, entry))),
    list: async (opts = {}) => {
      const limit = Math.min(Math.max(Math.trunc(opts.limit ?? DEFAULT_AUDIT_LIMIT), 1), MAX_AUDIT_LIMIT);
      return (await db.all<AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT ?', [limit])).map(toAudit);
    },
    chainPage: (afterId, limit) => chainPage(db, afterId, limit),
  };
}
