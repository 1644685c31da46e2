/**
 * Walks the audit hash chain from its first row and names the first row where
 * it breaks: a row whose content no longer gives its stored hash (changed), a
 * row whose prev_hash is not the hash of the row before it (a row removed,
 * inserted or moved before it), or a row without hashes after the chain began.
 *
 * Removing rows at the end cannot be seen from inside the table: compare the
 * head (id and hash) with one recorded elsewhere (a printout, the duty log).
 */
import type { AuditChainRow } from '../store/StoreTypes.ts';
import { type ChainAlgorithm, chainHash, GENESIS_HASH, isAlgorithmAvailable } from './auditChain.ts';

export type ChainBreakReason = 'content' | 'link' | 'unchained' | 'algorithm';

export interface ChainBreak {
  /** The first broken row. */
  id: number;
  reason: ChainBreakReason;
  /** What the chain says the row should hold (its hash, its prev_hash, an algorithm this platform has). */
  expected: string;
  /** What the row holds. */
  found: string | null;
}

export interface ChainReport {
  ok: boolean;
  /** Rows read (up to and including the first broken one). */
  rows: number;
  /** Rows written before the chain, sealed by the first chained row. */
  legacyRows: number;
  /** The last row read and its hash: record it elsewhere to notice rows removed from the end. */
  head: { id: number; hash: string | null } | null;
  firstBroken: ChainBreak | null;
}

/** Where the rows come from: the store's `audit.chainPage`. */
export type ChainSource = (afterId: number, limit: number) => Promise<AuditChainRow[]>;

const PAGE = 2000;

/**
 * Verifies the whole chain. Rows written before the chain are folded with
 * every algorithm this platform has, since the first chained row (not yet
 * read) decides which one sealed them.
 */
export async function verifyChain(source: ChainSource, pageSize = PAGE): Promise<ChainReport> {
  const algorithms = (['sm3', 'sha256'] as const).filter((alg) => isAlgorithmAvailable(alg));
  let legacy: Map<ChainAlgorithm, string> | null = new Map(algorithms.map((alg) => [alg, GENESIS_HASH]));
  let prev = GENESIS_HASH;
  let rows = 0;
  let legacyRows = 0;
  let head: ChainReport['head'] = null;
  const report = (firstBroken: ChainBreak | null): ChainReport => ({
    ok: firstBroken === null,
    rows,
    legacyRows,
    head,
    firstBroken,
  });

  for (let afterId = 0; ; ) {
    const page = await source(afterId, pageSize);
    for (const row of page) {
      rows++;
      head = { id: row.id, hash: row.hash };
      if (row.hash === null || row.prevHash === null || row.hashAlg === null) {
        if (!legacy) return report({ id: row.id, reason: 'unchained', expected: 'a hash', found: null });
        legacyRows++;
        for (const [alg, value] of legacy) legacy.set(alg, chainHash(alg, value, row));
        continue;
      }
      if (!isAlgorithmAvailable(row.hashAlg)) {
        return report({ id: row.id, reason: 'algorithm', expected: algorithms.join('|'), found: row.hashAlg });
      }
      if (legacy) {
        prev = legacy.get(row.hashAlg) ?? GENESIS_HASH;
        legacy = null;
      }
      if (row.prevHash !== prev) return report({ id: row.id, reason: 'link', expected: prev, found: row.prevHash });
      const expected = chainHash(row.hashAlg, row.prevHash, row);
      if (expected !== row.hash) return report({ id: row.id, reason: 'content', expected, found: row.hash });
      prev = row.hash;
    }
    const last = page.at(-1);
    if (!last || page.length < pageSize) return report(null);
    afterId = last.id;
  }
}

/** One line for a person: what broke, where. */
export function describeBreak(b: ChainBreak): string {
  switch (b.reason) {
    case 'content':
      return `row ${b.id} was altered: its content hashes to ${b.expected}, the row says ${b.found}`;
    case 'link':
      return `row ${b.id} does not follow the row before it (a row was removed, inserted or altered before it): expected prev_hash ${b.expected}, found ${b.found}`;
    case 'unchained':
      return `row ${b.id} has no hash although the chain began before it (written around the chain)`;
    case 'algorithm':
      return `row ${b.id} is hashed with ${b.found}, which this platform does not provide (has ${b.expected})`;
  }
}
