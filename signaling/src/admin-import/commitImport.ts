/**
 * Writing an import: planned again inside one store transaction (what the
 * dry run saw may have changed since), every row created or changed there,
 * one audit entry, then commit — or, on any error, nothing written at all.
 * Passwords are hashed before the transaction starts: scrypt takes tens of
 * milliseconds per account, and on SQLite the transaction holds the
 * database for everyone else meanwhile.
 */
import {
  BeaconError,
  type ImportedAccount,
  type ImportedPhone,
  type ImportKind,
  type ImportReport,
} from '@beacon/protocol';
import { hashPassword } from '../auth/passwords.ts';
import { randomSipPassword, type SipHashes, sipHashes } from '../auth/sipDigest.ts';
import { randomPassword } from '../http/admin/passwordReset.ts';
import type { Store } from '../store/index.ts';
import type { ImportPlan, OrgStore, PlannedRow } from './importPlanTypes.ts';
import { planImport, reportOf } from './planImport.ts';
import type { SheetTable } from './readWorkbook.ts';

export interface CommitOptions {
  file: string;
  /** SHA-256 of the uploaded bytes, for the audit. */
  sha256: string;
  kindHint?: ImportKind | undefined;
  actor: { userId: string; role: string };
  /** The phones' digest realm. */
  realm: string;
}

export interface CommitResult {
  report: ImportReport;
  /** Users whose role or unit changed: their tokens no longer say what holds. */
  movedUserIds: string[];
  /** Users the file disabled: their sessions end and their sockets close, as when disabled in the admin page. */
  disabledUserIds: string[];
  /** True when phones were added or changed: Kamailio's subscribers are resynced. */
  phonesChanged: boolean;
}

interface Secrets {
  accounts: Map<string, { password: string; generated: boolean; hash: string }>;
  phones: Map<string, { password: string; hashes: SipHashes }>;
}

export async function commitImport(
  tables: readonly SheetTable[],
  store: Store,
  opts: CommitOptions,
): Promise<CommitResult> {
  const plan = await planImport(tables, store, opts.kindHint);
  if (plan.errors.length > 0)
    return { report: reportOf(plan, opts.file, false), movedUserIds: [], disabledUserIds: [], phonesChanged: false };
  const secrets = await secretsFor(plan, opts.realm);
  return store.transaction(async (tx) => {
    const again = await planImport(tables, tx, opts.kindHint);
    if (again.errors.length > 0 || !samePlan(plan, again)) {
      throw BeaconError.conflict(
        'file',
        '导入期间组织机构已被修改，请重新预览后再导入 / the organisation changed meanwhile: run the dry run again',
      );
    }
    const applied = await applyRows(again.rows, tx, secrets);
    const report = reportOf(again, opts.file, true);
    await tx.audit.append({
      actorId: opts.actor.userId,
      role: opts.actor.role,
      action: 'admin.import.commit',
      target: opts.file,
      detail: { file: opts.file, sha256: opts.sha256, counts: report.counts },
    });
    report.accounts = createdAccounts(again, secrets);
    report.phones = createdPhones(again, secrets, opts.realm);
    const phonesChanged = again.rows.some((r) => r.kind === 'phones' && r.action !== 'unchanged');
    return { report, movedUserIds: applied.moved, disabledUserIds: applied.disabled, phonesChanged };
  });
}

/** The same rows with the same actions: nothing another admin did in between changes what this import does. */
function samePlan(a: ImportPlan, b: ImportPlan): boolean {
  const shape = (p: ImportPlan) =>
    p.rows.map((r) => `${r.kind}:${r.row}:${r.action}:${r.action === 'create' ? '' : r.id}`).join('|');
  return shape(a) === shape(b);
}

/**
 * Hashing at most this many passwords at once: scrypt runs on libuv's
 * thread pool (4 threads), and a sign-in's scrypt queued behind a thousand
 * imported accounts would wait a minute. Two keep both cores busy.
 */
const HASHING_AT_ONCE = 2;

async function secretsFor(plan: ImportPlan, realm: string): Promise<Secrets> {
  const secrets: Secrets = { accounts: new Map(), phones: new Map() };
  const accounts: { username: string; given: string | undefined }[] = [];
  for (const row of plan.rows) {
    if (row.action !== 'create') continue;
    if (row.kind === 'users') {
      accounts.push({ username: row.create.username, given: plan.givenPasswords.get(row.create.username) });
    } else if (row.kind === 'phones' && row.create.extension) {
      const password = randomSipPassword();
      secrets.phones.set(row.create.extension, { password, hashes: sipHashes(row.create.extension, realm, password) });
    }
  }
  const hashNext = async (): Promise<void> => {
    for (let next = accounts.shift(); next; next = accounts.shift()) {
      const password = next.given ?? randomPassword();
      const hash = await hashPassword(password);
      secrets.accounts.set(next.username, { password, generated: next.given === undefined, hash });
    }
  };
  await Promise.all(Array.from({ length: HASHING_AT_ONCE }, hashNext));
  return secrets;
}

/** What writing the rows changed that the running system must act on. */
interface Applied {
  /** Users whose role or unit changed. */
  moved: string[];
  /** Users the file disabled: their sessions end. */
  disabled: string[];
}

/** The repository an import row of `kind` writes. */
const repoOf = (tx: OrgStore, kind: PlannedRow['kind']) => (kind === 'phones' ? tx.terminals : tx[kind]);

/** Writes the rows in plan order (units first), each with its 状态 when the file changes it. */
async function applyRows(rows: readonly PlannedRow[], tx: OrgStore, secrets: Secrets): Promise<Applied> {
  const applied: Applied = { moved: [], disabled: [] };
  for (const row of rows) {
    if (row.action === 'unchanged') continue;
    if (row.action === 'create') await createRow(row, tx, secrets);
    else if (Object.keys(row.patch).length > 0) await updateRow(row, tx);
    if (row.action === 'update' && row.kind === 'users') {
      if (row.fields.some((f) => f === 'role' || f === 'townshipId' || f === 'departmentId'))
        applied.moved.push(row.id);
    }
    if (row.enabled === undefined) continue;
    await repoOf(tx, row.kind).setEnabled(row.id, row.enabled);
    if (row.kind === 'users' && row.action === 'update' && !row.enabled) applied.disabled.push(row.id);
  }
  return applied;
}

async function createRow(row: Extract<PlannedRow, { action: 'create' }>, tx: OrgStore, secrets: Secrets) {
  switch (row.kind) {
    case 'townships':
      return tx.townships.create({ ...row.create, id: row.id });
    case 'villages':
      return tx.villages.create({ ...row.create, id: row.id });
    case 'departments':
      return tx.departments.create({ ...row.create, id: row.id });
    case 'users': {
      const secret = secrets.accounts.get(row.create.username);
      if (!secret) throw new Error(`no password hashed for ${row.create.username}`);
      // Someone else chose it (Beacon or the file): changed at the first sign-in.
      return tx.users.create({ ...row.create, id: row.id, passwordHash: secret.hash, mustChangePassword: true });
    }
    case 'terminals':
    case 'phones': {
      const sip = row.create.extension ? secrets.phones.get(row.create.extension)?.hashes : undefined;
      return tx.terminals.create({ ...row.create, id: row.id, ...(sip ? { sip } : {}) });
    }
  }
}

async function updateRow(row: Extract<PlannedRow, { action: 'update' }>, tx: OrgStore) {
  switch (row.kind) {
    case 'townships':
      return tx.townships.update(row.id, row.patch);
    case 'villages':
      return tx.villages.update(row.id, row.patch);
    case 'departments':
      return tx.departments.update(row.id, row.patch);
    case 'users':
      return tx.users.update(row.id, row.patch);
    case 'terminals':
    case 'phones':
      return tx.terminals.update(row.id, row.patch);
  }
}

function createdAccounts(plan: ImportPlan, secrets: Secrets): ImportedAccount[] {
  return plan.rows.flatMap((row) => {
    if (row.kind !== 'users' || row.action !== 'create') return [];
    const secret = secrets.accounts.get(row.create.username);
    return [
      {
        username: row.create.username,
        displayName: row.create.displayName,
        password: secret?.generated ? secret.password : null,
      },
    ];
  });
}

function createdPhones(plan: ImportPlan, secrets: Secrets, realm: string): ImportedPhone[] {
  return plan.rows.flatMap((row) => {
    if (row.kind !== 'phones' || row.action !== 'create' || !row.create.extension) return [];
    const secret = secrets.phones.get(row.create.extension);
    return secret ? [{ extension: row.create.extension, name: row.create.name, password: secret.password, realm }] : [];
  });
}
