/**
 * The audit hash chain's cost: appends per second without the chain (a plain
 * INSERT, as before) and with it (store.audit.append: lock, head read, hash,
 * insert, in a transaction), 20 in flight; and the time `verifyChain` takes
 * for 100,000 chained rows — SQLite, and PostgreSQL when it is installed.
 *
 *   node --import tsx test/bench/auditChain.ts [--appends 2000] [--rows 100000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chainHash, GENESIS_HASH, preferredAlgorithm } from '../../signaling/src/audit/auditChain.ts';
import { verifyChain } from '../../signaling/src/audit/verifyChain.ts';
import { openStore, type Store } from '../../signaling/src/store/index.ts';
import { postgresUnavailableReason, startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';

export interface AuditChainBenchRow {
  backend: 'sqlite' | 'postgres';
  algorithm: string;
  plainAppendsPerS: number;
  chainedAppendsPerS: number;
  verifyRows: number;
  verifyMs: number;
  verifyRowsPerS: number;
}

const IN_FLIGHT = 20;

async function rate(count: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** `rows` chained rows written in bulk (the append path would take minutes on PostgreSQL). */
async function seedChain(store: Store, rows: number): Promise<void> {
  const alg = preferredAlgorithm();
  let prev = (await store.audit.chainPage(0, 1_000_000)).at(-1)?.hash ?? GENESIS_HASH;
  const BATCH = 500;
  for (let start = 0; start < rows; start += BATCH) {
    const values: (string | null)[] = [];
    const n = Math.min(BATCH, rows - start);
    for (let i = 0; i < n; i++) {
      const row = {
        at: new Date().toISOString(),
        actorId: 'u-lucheng',
        role: 'township',
        action: 'warning.ack',
        target: `w${start + i}`,
        detail: JSON.stringify({ townshipId: 'lucheng', channel: 'terminal' }),
      };
      const hash = chainHash(alg, prev, row);
      values.push(row.at, row.actorId, row.role, row.action, row.target, row.detail, prev, hash, alg);
      prev = hash;
    }
    const placeholders = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    await rawInsert(store, placeholders, values);
  }
}

let rawInsert: (store: Store, placeholders: string, values: (string | null)[]) => Promise<void>;

async function benchBackend(
  backend: 'sqlite' | 'postgres',
  open: () => Promise<{ store: Store; insert: typeof rawInsert }>,
  appends: number,
  rows: number,
): Promise<AuditChainBenchRow> {
  const { store, insert } = await open();
  rawInsert = insert;
  try {
    const plainAppendsPerS = await rate(appends, (i) =>
      insert(store, '(?, ?, ?, ?, ?, ?, NULL, NULL, NULL)', [
        new Date().toISOString(),
        'u',
        null,
        'plain',
        String(i),
        null,
      ]),
    );
    // The plain rows sit before the chain: the first chained append seals them.
    const chainedAppendsPerS = await rate(appends, (i) =>
      store.audit.append({ actorId: 'u', role: 'admin', action: 'chained', target: String(i), detail: { i } }),
    );
    await seedChain(store, rows);
    const started = performance.now();
    const report = await verifyChain((afterId, limit) => store.audit.chainPage(afterId, limit));
    const verifyMs = Math.round(performance.now() - started);
    if (!report.ok) throw new Error(`the bench's chain does not verify: ${JSON.stringify(report.firstBroken)}`);
    return {
      backend,
      algorithm: preferredAlgorithm(),
      plainAppendsPerS,
      chainedAppendsPerS,
      verifyRows: report.rows,
      verifyMs,
      verifyRowsPerS: Math.round(report.rows / (verifyMs / 1000)),
    };
  } finally {
    await store.close();
  }
}

export async function runAuditChainBench(opts: { appends: number; rows: number }): Promise<AuditChainBenchRow[]> {
  const out: AuditChainBenchRow[] = [];
  const raws: { close(): Promise<void> }[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'beacon-audit-bench-'));
  const { openSqliteDb } = await import('../../signaling/src/store/sqliteDb.ts');
  const { openPostgresDb } = await import('../../signaling/src/store/postgresDb.ts');
  const insertVia = (db: { run(sql: string, params: (string | null)[]): Promise<unknown>; close(): Promise<void> }) => {
    raws.push(db);
    return async (_store: Store, placeholders: string, values: (string | null)[]) => {
      await db.run(
        `INSERT INTO audit (at, actor_id, actor_role, action, target, detail, prev_hash, hash, hash_alg) VALUES ${placeholders}`,
        values,
      );
    };
  };
  try {
    const file = path.join(dir, 'beacon.sqlite');
    out.push(
      await benchBackend(
        'sqlite',
        async () => {
          const store = await openStore({ file });
          // A second connection for the raw inserts: SQLite serialises it with the store's through the file lock.
          return { store, insert: insertVia(openSqliteDb(file)) };
        },
        opts.appends,
        opts.rows,
      ),
    );
    if (!postgresUnavailableReason()) {
      const server = await startPostgres();
      try {
        const databaseUrl = await server.createDatabase('auditbench');
        out.push(
          await benchBackend(
            'postgres',
            async () => ({
              store: await openStore({ file: '', databaseUrl }),
              insert: insertVia(await openPostgresDb(databaseUrl)),
            }),
            opts.appends,
            opts.rows,
          ),
        );
      } finally {
        for (const raw of raws.splice(0)) await raw.close();
        await server.stop();
      }
    }
  } finally {
    for (const raw of raws) await raw.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { appends: { type: 'string' }, rows: { type: 'string' } } });
  console.table(
    await runAuditChainBench({ appends: Number(values.appends ?? 2000), rows: Number(values.rows ?? 100_000) }),
  );
}
