import { createLogger } from '../logger.ts';
import { migrate } from './migrations.ts';
import { phoneSetup } from './phoneRecords.ts';
import { openPostgresDb, redactUrl } from './postgresDb.ts';
import { createStore } from './SqlStore.ts';
import type { OpenStoreOptions, Store } from './StoreTypes.ts';
import { flagDemoAccountsOnPublishedPassword, seedDemoData, seedDemoDepartments } from './seed.ts';
import { seedInitialAdmin } from './seedAdmin.ts';
import type { SqlDb } from './sqlDb.ts';
import { openSqliteDb } from './sqliteDb.ts';

const log = createLogger('store');

const DEFAULT_SIP_REALM = 'beacon';

/**
 * Any fixed 64-bit number, the same on every node: nodes starting together
 * against one PostgreSQL database take turns migrating and seeding.
 */
const STARTUP_LOCK_KEY = 0x6265_6163_6f6e; // "beacon"

/**
 * Opens the store — PostgreSQL when `databaseUrl` is set, else the SQLite
 * file (created with its directory) — applies pending migrations and, when
 * asked, seeds the demo data (or only the admin) into an empty store. Then
 * numbers rooms and retires a published demo SIP password (phoneRecords.ts).
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const db = opts.databaseUrl ? await openPostgresDb(opts.databaseUrl) : openSqliteDb(opts.file);
  try {
    await db.exclusive(STARTUP_LOCK_KEY, () => prepare(db, opts));
  } catch (err) {
    await db.close();
    throw err;
  }
  const location = opts.databaseUrl ? redactUrl(opts.databaseUrl) : opts.file;
  log.info({ backend: db.dialect, location }, 'store opened');
  return createStore(db, location);
}

async function prepare(db: SqlDb, opts: OpenStoreOptions): Promise<void> {
  await migrate(db);
  if (opts.seed) {
    const { demoPassword, sipRealm = DEFAULT_SIP_REALM, demoPasswordChosen = false } = opts.seed;
    await seedDemoData(db, { password: demoPassword, sipRealm, passwordChosen: demoPasswordChosen });
    await seedDemoDepartments(db);
  } else if (opts.initialAdmin) {
    await seedInitialAdmin(db, opts.initialAdmin);
  }
  const retiredPhones = await phoneSetup(
    db,
    opts.seed && { password: opts.seed.demoPassword, realm: opts.seed.sipRealm ?? DEFAULT_SIP_REALM },
  );
  // Phones on the published password mark a store an older release seeded: its accounts were not flagged either.
  if (opts.seed && retiredPhones > 0) await flagDemoAccountsOnPublishedPassword(db, opts.seed.demoPassword);
}
