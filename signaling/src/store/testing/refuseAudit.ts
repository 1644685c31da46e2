/**
 * Makes a test's store refuse audit entries, as a full disk or a dropped
 * connection would in the middle of a change: a trigger, created over a
 * second connection (what another process would see), aborts every insert of
 * the named actions. For the tests that prove a change and its audit entry
 * commit together: with the entry refused, the change must be gone too.
 */
import type { StoreBackendEnv } from './storeBackends.ts';

export interface AuditRefusal {
  /** Drops the trigger: entries are written again. */
  allow(): Promise<void>;
}

let refusals = 0;

export async function refuseAudit(env: StoreBackendEnv, actions: readonly string[]): Promise<AuditRefusal> {
  const raw = await env.connect();
  const name = `audit_refused_${++refusals}`;
  // Action names are the tests' own constants, never input.
  const list = actions.map((a) => `'${a.replaceAll("'", "''")}'`).join(', ');
  await raw.exec(
    env.dialect === 'sqlite'
      ? `CREATE TRIGGER ${name} BEFORE INSERT ON audit WHEN NEW.action IN (${list})
         BEGIN SELECT RAISE(ABORT, 'audit refused'); END`
      : `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
         BEGIN RAISE EXCEPTION 'audit refused'; END $fn$;
         CREATE TRIGGER ${name} BEFORE INSERT ON audit FOR EACH ROW
         WHEN (NEW.action IN (${list})) EXECUTE FUNCTION ${name}()`,
  );
  return {
    allow: () => raw.exec(env.dialect === 'sqlite' ? `DROP TRIGGER ${name}` : `DROP TRIGGER ${name} ON audit`),
  };
}
