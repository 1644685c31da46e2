/**
 * A store as an old release seeded it, for migration tests: the demo rows in
 * the first schema's columns, every account on `password`, no phone
 * credentials, nothing flagged.
 */
import { hashPassword } from '../../auth/passwords.ts';
import { countUsers, insertDemoRows } from '../seed.ts';
import type { SqlQueries } from '../sqlDb.ts';

export async function seedAsOldRelease(db: SqlQueries, password: string): Promise<void> {
  if ((await countUsers(db)) > 0) throw new Error('the store already has users');
  const passwordHash = await hashPassword(password);
  await db.transaction((tx) => insertDemoRows(tx, passwordHash, new Date().toISOString()));
}
