/** SqlDb on SQLite: one connection behind an async API, so transactions must not swallow other callers' statements. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SqlDb, TransactionEndedError } from './sqlDb.ts';
import { openSqliteDb } from './sqliteDb.ts';

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('SQLite SqlDb', () => {
  let dir: string;
  let db: SqlDb;
  const ids = async () => (await db.all<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id);

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-sqlite-'));
    db = openSqliteDb(path.join(dir, 'test.db'));
    await db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps another caller’s statement out of a transaction that awaits between its statements', async () => {
    const inside = gate();
    const release = gate();
    const rolledBack = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (1)');
      inside.open();
      await release.opened;
      throw new Error('roll back');
    });
    await inside.opened;
    // Issued while the transaction is open on the one connection: it waits, and is not rolled back with it.
    const order: string[] = [];
    const outside = db.run('INSERT INTO t VALUES (2)').then(() => order.push('outside'));
    const other = db
      .transaction((tx) => tx.run('INSERT INTO t VALUES (3)'))
      .then(() => order.push('other transaction'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    order.push('first ends');
    release.open();
    await expect(rolledBack).rejects.toThrow('roll back');
    await Promise.all([outside, other]);
    expect(order).toEqual(['first ends', 'outside', 'other transaction']);
    expect(await ids()).toEqual([2, 3]);
  });

  it('commits, nests with savepoints, and refuses a handle used after its transaction', async () => {
    let leaked: Parameters<Parameters<SqlDb['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
      await tx.run('INSERT INTO t VALUES (1)');
      await expect(
        tx.transaction(async (inner) => {
          await inner.run('INSERT INTO t VALUES (2)');
          await inner.run('INSERT INTO t VALUES (1)');
        }),
      ).rejects.toMatchObject({ constraint: 'primary_key' });
      await tx.run('INSERT INTO t VALUES (3)');
    });
    expect(await ids()).toEqual([1, 3]);
    await expect(leaked?.run('INSERT INTO t VALUES (4)')).rejects.toBeInstanceOf(TransactionEndedError);
  });

  it('refuses a statement on the outer handle from inside a transaction instead of deadlocking', async () => {
    await expect(db.transaction(() => db.get('SELECT 1'))).rejects.toThrow(/use the transaction handle/);
    expect(await db.get('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('closes after the statements already queued', async () => {
    const inside = gate();
    const release = gate();
    const open = db.transaction(async (tx) => {
      inside.open();
      await release.opened;
      await tx.run('INSERT INTO t VALUES (1)');
    });
    await inside.opened;
    const queued = db.run('INSERT INTO t VALUES (2)');
    const closed = db.close();
    release.open();
    await Promise.all([open, queued, closed]);
    expect(await db.isOpen()).toBe(false);
    const reopened = openSqliteDb(path.join(dir, 'test.db'));
    expect(await reopened.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    await reopened.close();
  });
});
