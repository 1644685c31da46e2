/**
 * A deployment without the demo starts with one account: its admin
 * (`admin`), whose one-time password the caller generated and shows. The
 * admin must change it at first sign-in. Seeded only into a store without
 * users: once any account exists (the admin, even renamed or disabled),
 * nothing is ever generated again.
 */
import { hashPassword } from '../auth/passwords.ts';
import { createLogger } from '../logger.ts';
import { countUsers } from './seed.ts';
import type { SqlQueries } from './sqlDb.ts';

const log = createLogger('store');

export const INITIAL_ADMIN = { id: 'u-admin', username: 'admin', displayName: '系统管理员' } as const;

export interface InitialAdminSeed {
  /** The one-time password (auth/initialAdmin.ts makes one). */
  password: string;
  /**
   * Called once the admin row is committed, and only then (under the
   * store's start-up lock): show the password, keep its file.
   */
  onSeeded(): void | Promise<void>;
}

/** Returns false when the store already had users (nothing written). */
export async function seedInitialAdmin(db: SqlQueries, seed: InitialAdminSeed): Promise<boolean> {
  if ((await countUsers(db)) > 0) return false;
  const passwordHash = await hashPassword(seed.password);
  const seeded = await db.transaction(async (tx): Promise<boolean> => {
    if ((await countUsers(tx)) > 0) return false;
    await tx.run(
      `INSERT INTO users (id, username, display_name, role, township_id, password_hash, must_change_password,
         created_at) VALUES (?, ?, ?, 'admin', NULL, ?, 1, ?)`,
      [INITIAL_ADMIN.id, INITIAL_ADMIN.username, INITIAL_ADMIN.displayName, passwordHash, new Date().toISOString()],
    );
    return true;
  });
  if (seeded) {
    log.info({ username: INITIAL_ADMIN.username }, 'seeded the initial admin (no demo data)');
    await seed.onSeeded();
  }
  return seeded;
}
