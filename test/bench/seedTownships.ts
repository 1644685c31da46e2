/**
 * Synthetic townships for benchmarks: a grid inside a box far from Chuxiong
 * (no real township is there), written into a fresh data directory's store
 * before Beacon starts on it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../signaling/src/store/index.ts';

export const BENCH_BOX = { south: 20, north: 21, west: 100, east: 101 };
const BOX = BENCH_BOX;

/** Seeds the demo data, then adds `count` townships `bench-<i>`; returns their ids. */
export async function seedTownships(dataDir: string, count: number): Promise<string[]> {
  const file = join(dataDir, 'beacon.sqlite');
  const store = await openStore({ file, seed: { demoPassword: 'beacon2026', demoPasswordChosen: true } });
  await store.close();
  const db = new Database(file);
  const side = Math.ceil(Math.sqrt(count));
  const insert = db.prepare(
    "INSERT INTO townships (id, name, name_en, kind, lat, lon, approximate) VALUES (?, ?, ?, 'township', ?, ?, 1)",
  );
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `bench-${i}`;
      const lat = BOX.south + 0.05 + ((BOX.north - BOX.south - 0.1) * Math.floor(i / side)) / side;
      const lon = BOX.west + 0.05 + ((BOX.east - BOX.west - 0.1) * (i % side)) / side;
      insert.run(id, `测试乡${i}`, `Bench ${i}`, lat, lon);
      ids.push(id);
    }
  })();
  db.close();
  return ids;
}
