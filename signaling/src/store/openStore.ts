import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { migrate } from './migrations.ts';
import { phoneSetup } from './phoneRecords.ts';
import { createSqliteStore } from './SqliteStore.ts';
import type { OpenStoreOptions, Store } from './StoreTypes.ts';
import { seedDemoData } from './seed.ts';

const BUSY_TIMEOUT_MS = 5000;
const DEFAULT_SIP_REALM = 'beacon';

/**
 * Opens (creating if needed) the SQLite file, applies pending migrations and,
 * when asked, seeds the demo data into an empty store. Then numbers rooms
 * and gives demo phones their SIP password where missing (phoneRecords.ts). Async only because
 * hashing the seed passwords is.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const inMemory = opts.file === ':memory:';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(opts.file)), { recursive: true });
  const db = new SqliteDatabase(opts.file, { timeout: BUSY_TIMEOUT_MS });
  try {
    if (!inMemory) db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power cut could lose a
    // township's 签收 that was already answered ok. A few ms per commit is cheap for that promise.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
    if (opts.seed) await seedDemoData(db, opts.seed.demoPassword);
    phoneSetup(db, opts.seed && { password: opts.seed.demoPassword, realm: opts.seed.sipRealm ?? DEFAULT_SIP_REALM });
  } catch (err) {
    db.close();
    throw err;
  }
  return createSqliteStore(db, opts.file);
}
