import { beforeEach, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import type { SqlDb } from '../store/sqlDb.ts';
import { sampleWarning } from '../store/testing/sampleWarnings.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { auditedChange } from './auditedChange.ts';
import { verifyChain } from './verifyChain.ts';

const township: Actor = {
  userId: 'u-lucheng',
  username: 'lucheng',
  displayName: '鹿城镇',
  role: 'township',
  townshipId: 'lucheng',
};

describeStoreBackends((env) => {
  let store: Store;
  let raw: SqlDb;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw', demoPasswordChosen: true } });
    raw = await env.connect();
  });

  /** Makes every audit insert of `action` fail, as a full disk or a dropped connection would. */
  const refuseAudit = (action: string) =>
    raw.exec(
      env.dialect === 'sqlite'
        ? `CREATE TRIGGER audit_refused BEFORE INSERT ON audit WHEN NEW.action = '${action}'
           BEGIN SELECT RAISE(ABORT, 'audit refused'); END`
        : `CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS $fn$
           BEGIN RAISE EXCEPTION 'audit refused'; END $fn$;
           CREATE TRIGGER audit_refused BEFORE INSERT ON audit FOR EACH ROW
           WHEN (NEW.action = '${action}') EXECUTE FUNCTION audit_refused()`,
    );
  const allowAudit = () =>
    raw.exec(env.dialect === 'sqlite' ? 'DROP TRIGGER audit_refused' : 'DROP TRIGGER audit_refused ON audit');
  const entries = async (action: string) =>
    (await store.audit.list({ limit: 1000 })).filter((e) => e.action === action);

  async function issuedWarning(): Promise<string> {
    const now = new Date().toISOString();
    const warning = sampleWarning('w1', { colour: 'yellow', escalationMinutes: 0, effective: now, createdAt: now });
    await store.warnings.create(warning);
    await store.warnings.issue('w1', 'u-duty', now);
    return 'w1';
  }

  it('keeps no acknowledgement whose audit entry could not be written, and writes both once it can', async () => {
    const desk = new WarningDesk(new CommandBus(store));
    const warningId = await issuedWarning();
    await refuseAudit('warning.ack');
    await expect(desk.ack(township, warningId)).rejects.toThrow(/audit refused/);
    expect((await store.warnings.delivery(warningId, { kind: 'township', id: 'lucheng' }))?.ackedAt).toBeNull();
    expect(await entries('warning.ack')).toHaveLength(0);

    // The terminal retries (as it does after a restart): now the ack is a change again, and audited.
    await allowAudit();
    const row = await desk.ack(township, warningId);
    expect(row.ackedAt).not.toBeNull();
    const acks = await entries('warning.ack');
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actorId: township.userId, role: 'township', target: warningId });
    // A second ack changes nothing and writes nothing.
    await desk.ack(township, warningId);
    expect(await entries('warning.ack')).toHaveLength(1);
    expect((await verifyChain((a, l) => store.audit.chainPage(a, l))).ok).toBe(true);
  });

  it('rolls the change back when the audit append fails, whatever the change', async () => {
    await refuseAudit('test.change');
    const change = auditedChange(
      store,
      { actorId: 'u-admin', role: 'admin' },
      (tx) => tx.departments.create({ id: 'dp-test', name: '测试局', shortName: null, dutyPhone: null }),
      () => ({ action: 'test.change', target: 'dp-test' }),
    );
    await expect(change).rejects.toThrow(/audit refused/);
    expect(await store.departments.get('dp-test')).toBeUndefined();
  });

  it('writes 200 parallel acknowledgements and exactly their 200 entries, chained', async () => {
    const desk = new WarningDesk(new CommandBus(store));
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const id = `w${i}`;
        await store.warnings.create(
          sampleWarning(id, {
            colour: 'blue',
            severity: 'Minor',
            headline: id,
            escalationMinutes: 0,
            effective: now,
            expires: later,
            createdAt: now,
          }),
        );
        await store.warnings.issue(id, 'u-duty', now);
      }),
    );
    await Promise.all(Array.from({ length: 200 }, (_, i) => desk.ack(township, `w${i}`)));
    expect(await entries('warning.ack')).toHaveLength(200);
    expect(await verifyChain((a, l) => store.audit.chainPage(a, l))).toMatchObject({ ok: true });
  });
});
