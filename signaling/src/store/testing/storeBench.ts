/**
 * Per-call latency of the store on SQLite (a WAL file, synchronous=FULL) and
 * on PostgreSQL through the synchronous worker bridge (a throwaway local
 * server, fsync on): 1000 warning acks (one transaction each: UPDATE + SELECT),
 * 1000 audit appends (one INSERT), 1000 user look-ups. Prints figures only.
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

function timed(label: string, n: number, fn: (i: number) => void): string {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / n;
  return `${label} ${micros.toFixed(0)} µs`;
}

function bench(store: Store): string[] {
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 3_600_000).toISOString();
  const townships = SEED_TOWNSHIPS.map((t) => t.id);
  const deliveries: [string, string][] = [];
  for (let w = 0; deliveries.length < count; w++) {
    const id = `bench-${w}`;
    store.warnings.create({
      id,
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
    store.warnings.issue(id, 'u-duty', now);
    for (const townshipId of townships) deliveries.push([id, townshipId]);
  }
  return [
    timed('ack', count, (i) => {
      const [warningId, townshipId] = deliveries[i] as [string, string];
      store.warnings.ack(warningId, townshipId, {
        by: `u-${townshipId}`,
        byName: 'bench',
        channel: 'terminal',
        at: now,
      });
    }),
    timed('audit.append', count, (i) => store.audit.append({ actorId: 'u-duty', action: 'bench', detail: { i } })),
    timed('users.findByUsername', count, () => store.users.findByUsername('duty')),
  ];
}

async function run(name: string, opts: OpenStoreOptions): Promise<void> {
  const store = await openStore({ ...opts, seed: { demoPassword: 'bench' } });
  try {
    console.log(`${name.padEnd(10)} per call: ${bench(store).join(', ')}`);
  } finally {
    store.close();
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
