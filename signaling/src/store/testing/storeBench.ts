/**
 * Per-call latency of the store on SQLite (a WAL file, synchronous=FULL) and
 * on PostgreSQL (a pg pool on a throwaway local server, fsync on): 1000
 * warning acks (one transaction each: UPDATE + SELECT), 1000 audit appends
 * (one INSERT), 1000 user look-ups, one call at a time; then 1000 more acks
 * with 20 in flight (what a node sees when many terminals ack at once).
 * Prints figures only.
 *
 *   node --import tsx signaling/src/store/testing/storeBench.ts [count]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../openStore.ts';
import type { OpenStoreOptions, Store } from '../StoreTypes.ts';
import { SEED_TOWNSHIPS } from '../seedData.ts';
import { postgresUnavailableReason, startPostgres } from './postgresServer.ts';

const count = Number(process.argv[2] ?? 1000);

async function timed(label: string, n: number, fn: (i: number) => Promise<unknown>): Promise<string> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / n;
  return `${label} ${micros.toFixed(0)} µs`;
}

/** `n` calls with `inFlight` at a time: calls per second. */
async function concurrent(label: string, n: number, inFlight: number, fn: (i: number) => Promise<unknown>) {
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return `${label} ${(n / seconds).toFixed(0)}/s`;
}

async function bench(store: Store): Promise<string[]> {
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 3_600_000).toISOString();
  const townships = SEED_TOWNSHIPS.map((t) => t.id);
  const deliveries: [string, string][] = [];
  for (let w = 0; deliveries.length < 2 * count; w++) {
    const id = `bench-${w}`;
    await store.warnings.create({
      id,
      departmentIds: [],
      identifier: id,
      sender: 'bench@beacon',
      event: '暴雨',
      colour: 'blue',
      urgency: 'Expected',
      severity: 'Moderate',
      certainty: 'Likely',
      headline: 'bench',
      description: '',
      instruction: '',
      area: { type: 'circle', center: [25.03, 101.55], radiusKm: 50 },
      areaDesc: '',
      effective: now,
      expires,
      status: 'draft',
      incidentId: null,
      affectedTownshipIds: townships,
      escalationMinutes: 0,
      createdAt: now,
      createdBy: 'u-duty',
      issuedAt: null,
      issuedBy: null,
    });
    await store.warnings.issue(id, 'u-duty', now);
    for (const townshipId of townships) deliveries.push([id, townshipId]);
  }
  const ack = (i: number) => {
    const [warningId, townshipId] = deliveries[i] as [string, string];
    return store.warnings.ack(
      warningId,
      { kind: 'township', id: townshipId },
      {
        by: `u-${townshipId}`,
        byName: 'bench',
        channel: 'terminal',
        at: now,
      },
    );
  };
  return [
    await timed('ack', count, ack),
    await timed('audit.append', count, (i) =>
      store.audit.append({ actorId: 'u-duty', action: 'bench', detail: { i } }),
    ),
    await timed('users.findByUsername', count, () => store.users.findByUsername('duty')),
    await concurrent('ack with 20 in flight', count, 20, (i) => ack(count + i)),
  ];
}

async function run(name: string, opts: OpenStoreOptions): Promise<void> {
  const store = await openStore({ ...opts, seed: { demoPassword: 'bench' } });
  try {
    console.log(`${name.padEnd(10)} per call: ${(await bench(store)).join(', ')}`);
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-bench-'));
try {
  await run('sqlite', { file: path.join(dir, 'beacon.db') });
  const missing = postgresUnavailableReason();
  if (missing) {
    console.log(`postgres   skipped: ${missing}`);
  } else {
    const server = await startPostgres();
    try {
      await run('postgres', { file: 'unused', databaseUrl: await server.createDatabase('bench') });
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
