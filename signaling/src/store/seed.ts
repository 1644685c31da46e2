/**
 * Seeds the demo data into an empty store (no users) in one transaction.
 * The password is hashed before the transaction since hashing is async. All
 * demo accounts share one hash (one salt): they share one published password
 * anyway, and 18 scrypt runs would add a second to every fresh start.
 *
 * The demo password is published (README), so every demo account must
 * choose its own at first sign-in, and every demo phone gets its own random
 * SIP password (an admin sets a new one to configure a phone: the store keeps
 * only digest hashes).
 */
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { randomSipPassword, sipHashes } from '../auth/sipDigest.ts';
import { createLogger } from '../logger.ts';
import { FIRST_PHONE_EXTENSION, SEED_DEPARTMENTS, SEED_ROOMS, SEED_TOWNSHIPS, SEED_USERS } from './seedData.ts';
import type { SqlQueries } from './sqlDb.ts';

const log = createLogger('store');

export interface DemoSeedOptions {
  /** The demo accounts' (published) password. */
  password: string;
  /** The SIP digest realm the phones' hashes are made for. Default 'beacon'. */
  sipRealm?: string;
  /**
   * Test fixtures only — no setting reaches it: the demo accounts' password
   * counts as chosen by them, so no change is forced at first sign-in.
   * Default false.
   */
  passwordChosen?: boolean;
}

export const countUsers = async (q: SqlQueries): Promise<number> =>
  Number((await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM users'))?.n ?? 0);

/** Returns false when the store already had users (nothing written). */
export async function seedDemoData(db: SqlQueries, opts: DemoSeedOptions): Promise<boolean> {
  if ((await countUsers(db)) > 0) return false;
  const passwordHash = await hashPassword(opts.password);
  const mustChange = opts.passwordChosen ? 0 : 1;
  const realm = opts.sipRealm ?? 'beacon';
  const at = new Date().toISOString();

  const seeded = await db.transaction(async (tx): Promise<boolean> => {
    // Another process may have seeded while we were hashing.
    if ((await countUsers(tx)) > 0) return false;
    await insertDemoRows(tx, passwordHash, at);
    await tx.run('UPDATE users SET must_change_password = ?', [mustChange]);
    for (const [index, t] of SEED_TOWNSHIPS.entries()) {
      const extension = String(FIRST_PHONE_EXTENSION + index);
      const { ha1, ha1b } = sipHashes(extension, realm, randomSipPassword());
      await tx.run('UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ?, sip_updated_at = ? WHERE id = ?', [
        ha1,
        ha1b,
        at,
        `ph-${t.id}`,
      ]);
    }
    return true;
  });

  if (seeded) {
    log.info(
      {
        townships: SEED_TOWNSHIPS.length,
        terminals: SEED_TOWNSHIPS.length * 2,
        users: SEED_USERS.length,
        rooms: SEED_ROOMS.length,
        passwordChangeRequired: mustChange === 1,
      },
      'seeded demo data',
    );
  }
  return seeded;
}

/**
 * In a store an older release seeded (no forced change then): every demo
 * account whose password is still the published one must change it at its
 * next sign-in. One scrypt run per distinct hash: the seed gave all of them
 * one hash, and a changed password has its own.
 */
export async function flagDemoAccountsOnPublishedPassword(db: SqlQueries, password: string): Promise<number> {
  const ids = SEED_USERS.map((u) => u.id);
  const rows = await db.all<{ id: string; password_hash: string }>(
    `SELECT id, password_hash FROM users WHERE must_change_password = 0 AND id IN (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  const published: string[] = [];
  for (const hash of new Set(rows.map((r) => r.password_hash))) {
    if (await verifyPassword(password, hash)) published.push(hash);
  }
  const flagged = rows.filter((r) => published.includes(r.password_hash)).map((r) => r.id);
  for (const id of flagged) await db.run('UPDATE users SET must_change_password = 1 WHERE id = ?', [id]);
  if (flagged.length > 0)
    log.warn({ accounts: flagged.length }, 'demo accounts on the published password must change it');
  return flagged.length;
}

/**
 * The demo's rows in the columns of the first schema, so migration tests can
 * lay down a store as an old release seeded it (store/testing/legacySeed.ts).
 */
export async function insertDemoRows(tx: SqlQueries, passwordHash: string, at: string): Promise<void> {
  for (const [index, t] of SEED_TOWNSHIPS.entries()) {
    await tx.run(
      'INSERT INTO townships (id, name, name_en, kind, lat, lon, approximate) VALUES (?, ?, ?, ?, ?, ?, 1)',
      [t.id, t.name, t.nameEn, t.kind, t.lat, t.lon],
    );
    const insertTerminal = 'INSERT INTO terminals (id, township_id, kind, name, extension) VALUES (?, ?, ?, ?, ?)';
    await tx.run(insertTerminal, [`vt-${t.id}`, t.id, 'video', `${t.name}视频终端`, null]);
    await tx.run(insertTerminal, [
      `ph-${t.id}`,
      t.id,
      'sip_phone',
      `${t.name}电话`,
      String(FIRST_PHONE_EXTENSION + index),
    ]);
  }
  for (const u of SEED_USERS) {
    await tx.run(
      `INSERT INTO users (id, username, display_name, role, township_id, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [u.id, u.username, u.displayName, u.role, u.townshipId, passwordHash, at],
    );
  }
  for (const r of SEED_ROOMS) {
    await tx.run('INSERT INTO rooms (id, title, kind, created_at, created_by) VALUES (?, ?, ?, ?, ?)', [
      r.id,
      r.title,
      r.kind,
      at,
      r.createdBy,
    ]);
  }
}

/**
 * The demo's departments, when the store has none: on a fresh demo store and
 * on a demo store seeded before departments existed. Never without demo
 * seeding, nor on a store the demo did not seed (its first township is not
 * there) — a real deployment's departments are its admin's list.
 */
export async function seedDemoDepartments(db: SqlQueries): Promise<void> {
  await db.transaction(async (tx) => {
    const count = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM departments'))?.n ?? 0;
    if (Number(count) > 0) return;
    const demoTownship = await tx.get('SELECT id FROM townships WHERE id = ?', [SEED_TOWNSHIPS[0]?.id ?? '']);
    if (!demoTownship) return;
    const at = new Date().toISOString();
    for (const d of SEED_DEPARTMENTS) {
      await tx.run(
        'INSERT INTO departments (id, name, short_name, duty_phone, enabled, created_at) VALUES (?, ?, ?, NULL, 1, ?)',
        [d.id, d.name, d.shortName, at],
      );
    }
    log.info({ departments: SEED_DEPARTMENTS.length }, 'seeded demo departments');
  });
}
