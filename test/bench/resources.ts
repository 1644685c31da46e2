/**
 * Emergency resources at a county's scale: N rescue teams, N depots (each with
 * a few items) and N shelters spread over the demo city, from one XLSX. Per
 * store (SQLite file; PostgreSQL on a throwaway server when installed):
 * reading the workbook, the dry run, the commit (one transaction), the dry run
 * again (every row unchanged), then the command room's question for an
 * incident — the nearest 5 teams, depots and shelters by great-circle
 * distance over everything enabled — p50/p95 over `runs` incidents.
 *
 *   node --import tsx test/bench/resources.ts [--per-kind 2000] [--runs 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_IMPORT_LIMITS } from '../../signaling/src/admin-import/importRoutes.ts';
import { readWorkbook } from '../../signaling/src/admin-import/readWorkbook.ts';
import { CommandBus } from '../../signaling/src/command/CommandBus.ts';
import { TaskDesk } from '../../signaling/src/command/TaskDesk.ts';
import { commitResourceImport } from '../../signaling/src/resources/commitResourceImport.ts';
import { planResourceImport } from '../../signaling/src/resources/planResourceImport.ts';
import { ResourceDesk } from '../../signaling/src/resources/ResourceDesk.ts';
import { resourceXlsx, type SheetData } from '../../signaling/src/resources/testing/resourceWorkbook.ts';
import { openStore, type Store } from '../../signaling/src/store/index.ts';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import { postgresUnavailableReason, startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';

export interface ResourceBenchOptions {
  perKind: number;
  runs: number;
}

export interface ResourceBenchRow {
  store: 'sqlite' | 'postgres';
  rows: number;
  readMs: number;
  dryRunMs: number;
  commitMs: number;
  reDryRunMs: number;
  nearestP50Ms: number;
  nearestP95Ms: number;
}

const ms = (from: number) => Math.round(performance.now() - from);
const percentile = (values: number[], p: number) =>
  Math.round(
    ([...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0) * 10,
  ) / 10;

/** A deterministic scatter over the demo city (±0.35° around 24.9°N 101.45°E), the same file on every run. */
function sheets(n: number): Record<string, SheetData> {
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const place = () => [
    Math.round((24.55 + random() * 0.7) * 1e5) / 1e5,
    Math.round((101.1 + random() * 0.7) * 1e5) / 1e5,
  ];
  const township = (i: number) => (SEED_TOWNSHIPS[i % SEED_TOWNSHIPS.length] as { name: string }).name;
  const rows = <T>(make: (i: number) => T[]) => Array.from({ length: n }, (_, i) => make(i));
  return {
    救援队伍: {
      header: ['队伍名称', '队伍类型', '人数', '负责人', '联系电话', '所属乡镇', '纬度', '经度'],
      rows: rows((i) => [
        `队伍${i}`,
        '民兵应急',
        10 + (i % 40),
        `队长${i}`,
        `138${String(i).padStart(8, '0')}`,
        township(i),
        ...place(),
      ]),
    },
    物资库: {
      header: ['物资库名称', '所属乡镇', '储备物资', '纬度', '经度'],
      rows: rows((i) => [
        `物资库${i}`,
        township(i),
        `冲锋舟×${i % 9}艘；救生衣×${i * 3}件；帐篷×${i % 50}顶`,
        ...place(),
      ]),
    },
    避难场所: {
      header: ['场所名称', '所属乡镇', '容纳人数', '已安置人数', '纬度', '经度'],
      rows: rows((i) => [`避难场所${i}`, township(i), 500 + i, 0, ...place()]),
    },
  };
}

async function measure(kind: ResourceBenchRow['store'], file: Buffer, store: Store, runs: number) {
  let t = performance.now();
  const tables = await readWorkbook(file, 'resources.xlsx', DEFAULT_IMPORT_LIMITS);
  const readMs = ms(t);
  t = performance.now();
  const plan = await planResourceImport(tables, store);
  const dryRunMs = ms(t);
  if (plan.errors.length > 0) throw new Error(`the bench file was refused: ${JSON.stringify(plan.errors[0])}`);
  t = performance.now();
  await commitResourceImport(store, plan, {
    file: 'resources.xlsx',
    sha256: 'bench',
    actor: { userId: 'u-admin', role: 'admin' },
  });
  const commitMs = ms(t);
  t = performance.now();
  const again = await planResourceImport(tables, store);
  const reDryRunMs = ms(t);
  if (again.rows.some((r) => r.action !== 'unchanged')) throw new Error('the second dry run found changes');

  const bus = new CommandBus(store);
  const desk = new ResourceDesk({ bus, tasks: new TaskDesk(bus) });
  const duty = {
    userId: 'u-duty',
    username: 'duty',
    displayName: '值班员',
    role: 'duty_officer' as const,
    townshipId: null,
  };
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const id = `bench-${i}`;
    const now = new Date().toISOString();
    await store.incidents.create({
      id,
      type: 'flood',
      level: 'III',
      title: `bench ${i}`,
      description: '',
      reporter: '',
      townshipId: null,
      location: [24.6 + (i % 10) * 0.06, 101.15 + (i % 7) * 0.09],
      status: 'reported',
      createdAt: now,
      createdBy: 'u-duty',
      updatedAt: now,
      departmentIds: [],
    });
    const start = performance.now();
    const found = await desk.nearest(duty, id, 5);
    samples.push(performance.now() - start);
    if (found.teams.length !== 5) throw new Error('the nearest teams are missing');
  }
  desk.close();
  return {
    store: kind,
    rows: plan.rows.length,
    readMs,
    dryRunMs,
    commitMs,
    reDryRunMs,
    nearestP50Ms: percentile(samples, 0.5),
    nearestP95Ms: percentile(samples, 0.95),
  } satisfies ResourceBenchRow;
}

export async function runResourceBench(
  opts: ResourceBenchOptions,
): Promise<{ fileBytes: number; rows: ResourceBenchRow[] }> {
  const file = await resourceXlsx(sheets(opts.perKind));
  const rows: ResourceBenchRow[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-resource-bench-'));
  try {
    const sqlite = await openStore({ file: path.join(dir, 'beacon.db'), seed: { demoPassword: 'bench-password-1' } });
    try {
      rows.push(await measure('sqlite', file, sqlite, opts.runs));
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!postgresUnavailableReason()) {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase('bench_resources');
      const store = await openStore({ file: '', databaseUrl: url, seed: { demoPassword: 'bench-password-1' } });
      try {
        rows.push(await measure('postgres', file, store, opts.runs));
      } finally {
        await store.close();
      }
    } finally {
      await server.stop();
    }
  }
  return { fileBytes: file.length, rows };
}

export function printResourceBench(
  opts: ResourceBenchOptions,
  result: { fileBytes: number; rows: ResourceBenchRow[] },
) {
  console.log(
    `\n## Resources: ${opts.perKind} teams + ${opts.perKind} depots + ${opts.perKind} shelters from one XLSX of ` +
      `${Math.round(result.fileBytes / 1024)} KiB; the nearest 5 of each to ${opts.runs} incidents (${os.availableParallelism()} cores)`,
  );
  const skipped = postgresUnavailableReason();
  if (skipped) console.log(`PostgreSQL skipped: ${skipped}`);
  console.table(result.rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { 'per-kind': { type: 'string', default: '2000' }, runs: { type: 'string', default: '50' } },
  });
  const opts = { perKind: Number(values['per-kind']), runs: Number(values.runs) };
  printResourceBench(opts, await runResourceBench(opts));
}
