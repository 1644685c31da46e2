/** The audit hash chain on both backends: a clean chain verifies, tampering is named at its row, appends stay linear. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import type { SqlDb } from '../store/sqlDb.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { canonicalContent, chainHash, GENESIS_HASH, preferredAlgorithm } from './auditChain.ts';
import { describeBreak, verifyChain } from './verifyChain.ts';

describe('the chain hash', () => {
  const row = { at: '2026-12-07T00:00:00.000Z', actorId: 'u', role: 'admin', action: 'a', target: null, detail: '{}' };

  it('prefers SM3 when OpenSSL has it, SHA-256 otherwise', () => {
    expect(preferredAlgorithm(['sha256', 'sm3'])).toBe('sm3');
    expect(preferredAlgorithm(['sha256'])).toBe('sha256');
  });

  it('hashes the previous hash and the canonical content, differently per algorithm', () => {
    const sm3 = chainHash('sm3', GENESIS_HASH, row);
    const sha = chainHash('sha256', GENESIS_HASH, row);
    expect(sm3).toMatch(/^[0-9a-f]{64}$/);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(sm3).not.toBe(sha);
    expect(chainHash('sm3', sm3, row)).not.toBe(sm3);
    // A field moved into another keeps no hash: the content is a JSON array, every string escaped.
    expect(canonicalContent({ ...row, action: 'a","b' })).not.toBe(canonicalContent({ ...row, target: 'b' }));
  });
});

describeStoreBackends((env) => {
  let store: Store;
  let raw: SqlDb;
  beforeEach(async () => {
    store = await env.open();
    raw = await env.connect();
  });

  const verify = (s: Store = store) => verifyChain((afterId, limit) => s.audit.chainPage(afterId, limit), 7);
  const append = (i: number) =>
    store.audit.append({ actorId: 'u-admin', role: 'admin', action: 'test', target: `t${i}`, detail: { i } });
  const allowEdits = () =>
    raw.exec(
      env.dialect === 'sqlite'
        ? 'DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete'
        : 'DROP TRIGGER audit_no_update ON audit; DROP TRIGGER audit_no_delete ON audit',
    );

  it('chains every row from the genesis and verifies clean', async () => {
    for (let i = 1; i <= 20; i++) await append(i);
    const rows = await store.audit.chainPage(0, 100);
    expect(rows).toHaveLength(20);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    expect(rows[0]?.hashAlg).toBe(preferredAlgorithm());
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
    const report = await verify();
    expect(report).toMatchObject({ ok: true, rows: 20, legacyRows: 0, firstBroken: null });
    expect(report.head).toEqual({ id: rows[19]?.id, hash: rows[19]?.hash });
  });

  it('names the altered row, with the hash expected and the one found', async () => {
    for (let i = 1; i <= 20; i++) await append(i);
    await allowEdits();
    const victim = (await store.audit.chainPage(0, 100))[11];
    await raw.run('UPDATE audit SET detail = ? WHERE id = ?', ['{"i":999}', victim?.id ?? 0]);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ id: victim?.id, reason: 'content', found: victim?.hash });
    expect(report.firstBroken?.expected).not.toBe(victim?.hash);
    expect(describeBreak(report.firstBroken ?? ({} as never))).toContain(`row ${victim?.id}`);
  });

  it('names the row after a removed one', async () => {
    for (let i = 1; i <= 10; i++) await append(i);
    await allowEdits();
    const rows = await store.audit.chainPage(0, 100);
    await raw.run('DELETE FROM audit WHERE id = ?', [rows[4]?.id ?? 0]);
    const report = await verify();
    expect(report.firstBroken).toMatchObject({ id: rows[5]?.id, reason: 'link', expected: rows[3]?.hash });
  });

  it('names a row written around the chain', async () => {
    for (let i = 1; i <= 3; i++) await append(i);
    await raw.run("INSERT INTO audit (at, actor_id, action) VALUES ('2026-01-01T00:00:00.000Z', 'x', 'forged')");
    const forged = (await store.audit.chainPage(0, 100)).at(-1);
    expect((await verify()).firstBroken).toMatchObject({ id: forged?.id, reason: 'unchained' });
  });

  it('seals the rows written before the chain into its first link', async () => {
    for (let i = 1; i <= 9; i++) {
      await raw.run('INSERT INTO audit (at, actor_id, action, detail) VALUES (?, ?, ?, ?)', [
        new Date().toISOString(),
        'u-old',
        'legacy',
        JSON.stringify({ i }),
      ]);
    }
    await append(1);
    await append(2);
    const rows = await store.audit.chainPage(0, 100);
    expect(rows[9]?.prevHash).not.toBe(GENESIS_HASH);
    expect(await verify()).toMatchObject({ ok: true, rows: 11, legacyRows: 9 });
    await allowEdits();
    await raw.run("UPDATE audit SET actor_id = 'u-someone-else' WHERE id = ?", [rows[2]?.id ?? 0]);
    // An old row cannot be pointed at (it has no hash of its own): the first link says the old rows changed.
    expect((await verify()).firstBroken).toMatchObject({ id: rows[9]?.id, reason: 'link' });
  });

  describe('under concurrency', () => {
    let second: Store;
    beforeEach(async () => {
      second = env.dialect === 'postgres' ? await env.open() : store;
    });

    // PostgreSQL: two nodes' pools at once. SQLite is one process per file (its synchronous driver would wait for
    // the file lock with the event loop blocked): there, 200 on the one store, whose transactions queue.
    it('stays linear with 200 appends in parallel (PostgreSQL: from two stores on one database)', async () => {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (env.dialect === 'postgres' && i % 2 === 1 ? second : store).audit.append({
            actorId: 'u',
            action: 'parallel',
            target: String(i),
          }),
        ),
      );
      const report = await verify(second);
      expect(report).toMatchObject({ ok: true, rows: 200 });
      const targets = (await store.audit.chainPage(0, 1000)).map((r) => Number(r.target));
      expect(new Set(targets).size).toBe(200);
    });
  });
});
