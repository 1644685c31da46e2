/**
 * Backup while Beacon runs, restore into a fresh data dir, count every
 * record: township terminals acknowledge warnings in a loop (new warnings are
 * issued as the open ones run out) while `npm run backup`'s CLI runs as its
 * own process. Every ack answered ok before the backup started must come
 * back after the restore, exactly the acks in the backup file and no others;
 * the restored CA serves the same certificate and the restored JWT secret
 * accepts a token issued before the backup. Then the same on PostgreSQL, and
 * the refusals (damaged file, newer schema, occupied target, other backend).
 */
import { execFile } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import type { AckBoardRow, WarningView } from '@beacon/protocol';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupError, type Manifest, readManifest, restoreBackup } from '../../signaling/src/backup/index.ts';
import { migrations } from '../../signaling/src/store/migrations.ts';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '../../signaling/src/store/testing/postgresServer.ts';
import { REPO_ROOT } from '../src/beaconProcess.ts';
import { api, connect, login, makeDataDir, request, startTestNode, type TestClient, type TestNode } from './helpers.ts';

const run = promisify(execFile);
const TOWNSHIPS = SEED_TOWNSHIPS.map((township) => township.id);
/** Acks answered before the backup is started: the ones that must survive whatever happens after. */
const ACKS_BEFORE_BACKUP = 40;
/** Pause between one terminal's acks: the loop must outlast the backup process, not starve two cores. */
const ACK_PAUSE_MS = 40;

const nodes: TestNode[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const node of nodes) await node.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await makeDataDir();
  dirs.push(dir);
  return dir;
}

/** HTTPS with Beacon's CA; clients use the node's plain loopback port (same app and socket.io). */
async function startNode(dataDir: string, env: Record<string, string>): Promise<TestNode> {
  const node = await startTestNode({ dataDir, env: { BEACON_TLS: 'auto', BEACON_HTTP_PORT: 'off', ...env } });
  nodes.push(node);
  return node;
}

async function stopNode(node: TestNode): Promise<void> {
  nodes.splice(nodes.indexOf(node), 1);
  await node.stop({ keepData: true });
}

/** `npm run backup -- DIR` as its own process, as an operator runs it next to a live Beacon. */
async function backupCli(dir: string, env: Record<string, string>): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'signaling/src/backup/cli.ts', 'backup', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', INIT_CWD: REPO_ROOT, ...env },
  });
  return { ms: performance.now() - started, stdout };
}

async function issueWarning(url: string, token: string, n: number): Promise<string> {
  const created = await api(url, token, '/api/v1/warnings', {
    method: 'POST',
    body: JSON.stringify({
      event: '暴雨',
      colour: 'orange',
      headline: `暴雨橙色预警 ${n}`,
      area: { type: 'circle', center: [24.9, 101.42], radiusKm: 80 },
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      escalationMinutes: 0,
    }),
  });
  expect(created.status).toBe(201);
  const warning = (await created.json()) as WarningView;
  expect(warning.affectedTownshipIds).toHaveLength(TOWNSHIPS.length);
  const issued = await api(url, token, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST', body: '{}' });
  expect(issued.status).toBe(200);
  return warning.id;
}

const key = (warningId: string, townshipId: string | null, ackedAt: string | null) =>
  `${warningId}|${townshipId}|${ackedAt}`;

interface AckLoad {
  /** warning|township|ackedAt of every ack answered ok before the backup was started. */
  beforeBackup: Set<string>;
  /** …of every ack answered ok at all. */
  answered: Set<string>;
  /** Acks answered ok while the backup process ran. */
  duringBackup: number;
  backupMs: number;
  backupOutput: string;
  /** The duty officer's token, issued before the backup. */
  duty: string;
}

/**
 * Every township's terminal acks the issued warnings one after another; a
 * duty officer issues another warning whenever fewer than two are open.
 * `backup` starts once ACKS_BEFORE_BACKUP acks were answered; the loop goes
 * on until the backup has finished and a few more acks were answered.
 */
async function ackWhileBackingUp(url: string, backup: () => Promise<{ ms: number; stdout: string }>): Promise<AckLoad> {
  const duty = await login(url, 'duty');
  const warnings: string[] = [await issueWarning(url, duty, 0), await issueWarning(url, duty, 1)];
  const terminals: TestClient[] = await Promise.all(TOWNSHIPS.map(async (t) => connect(url, await login(url, t))));
  const answered = new Set<string>();
  let backupRunning = false;
  let duringBackup = 0;
  let stopAt = Number.POSITIVE_INFINITY;
  let issuing: Promise<void> | null = null;
  // Kept, not left unhandled: a failed issue fails the test once the loops are done.
  let issueFailure: unknown = null;
  const ensureOpenWarnings = (next: number) => {
    if (warnings.length - next >= 2 || issuing) return;
    issuing = issueWarning(url, duty, warnings.length).then(
      (id) => {
        warnings.push(id);
        issuing = null;
      },
      (error: unknown) => {
        issueFailure ??= error;
      },
    );
  };
  let started: () => void = () => {};
  const enoughBefore = new Promise<void>((resolve) => {
    started = resolve;
  });
  const loops = terminals.map(async (socket, i) => {
    const township = TOWNSHIPS[i] as string;
    for (let next = 0; answered.size < stopAt && !issueFailure; ) {
      ensureOpenWarnings(next);
      const warningId = warnings[next];
      if (warningId === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const res = await request(socket, 'alert:ack', { warningId });
      if (!res.ok) throw new Error(`${township} ack ${warningId}: ${res.error.code}`);
      answered.add(key(warningId, township, res.data.ackedAt));
      if (backupRunning) duringBackup++;
      if (answered.size >= ACKS_BEFORE_BACKUP) started();
      next++;
      await new Promise((resolve) => setTimeout(resolve, ACK_PAUSE_MS));
    }
  });
  await enoughBefore;
  const beforeBackup = new Set(answered);
  backupRunning = true;
  const result = await backup();
  backupRunning = false;
  stopAt = answered.size + TOWNSHIPS.length;
  await Promise.all(loops);
  // A warning still being issued belongs to this run: wait for it before the caller stops the node.
  await issuing;
  for (const socket of terminals) socket.close();
  if (issueFailure) throw issueFailure;
  return { beforeBackup, answered, duringBackup, backupMs: result.ms, backupOutput: result.stdout, duty };
}

/**
 * The acks a running node shows, warning by warning, for every warning of
 * `warningIds` (issued ones: a warning the backup caught between its creation
 * and its issue has no board yet).
 */
async function ackedOnBoards(url: string, token: string, warningIds: readonly string[]): Promise<Set<string>> {
  const acked = new Set<string>();
  for (const warningId of warningIds) {
    const res = await api(url, token, `/api/v1/warnings/${warningId}/acks`);
    expect(res.status, warningId).toBe(200);
    const board = (await res.json()) as AckBoardRow[];
    expect(board, warningId).toHaveLength(TOWNSHIPS.length);
    for (const row of board) if (row.ackedAt !== null) acked.add(key(warningId, row.townshipId, row.ackedAt));
  }
  return acked;
}

/** SHA-256 fingerprint of the certificate a node serves, and whether it chains to `ca`. */
function servedCertificate(port: number, ca: string): Promise<{ fingerprint: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    socket.once('secureConnect', () => {
      resolve({ fingerprint: socket.getPeerCertificate().fingerprint256, authorized: socket.authorized });
      socket.end();
    });
    socket.once('error', reject);
  });
}

function expectAllPresent(expected: Set<string>, actual: Set<string>, what: string): void {
  const missing = [...expected].filter((k) => !actual.has(k));
  expect(missing, `${what}: missing`).toEqual([]);
}

function printFigures(backend: string, load: AckLoad, manifest: Manifest): void {
  const rows = Object.values(manifest.tables).reduce((sum, n) => sum + n, 0);
  const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
  console.log(
    `[backup figures] ${backend}: ${rows} rows, ${manifest.files.length} files, ${bytes} bytes; CLI process ` +
      `${load.backupMs.toFixed(0)} ms (node + tsx start included), ${load.duringBackup} acks answered meanwhile; ` +
      `${load.backupOutput.trim()}`,
  );
}

describe('backup and restore on SQLite', () => {
  let backupDir = '';

  it('backs up under acks, restores into a fresh data dir, and every record is there', async () => {
    const dataDir = await tempDir();
    const first = await startNode(dataDir, {});
    const caBefore = first.node.tls?.caCert as string;
    const servedBefore = await servedCertificate(first.node.port, caBefore);
    expect(servedBefore.authorized).toBe(true);
    backupDir = path.join(await tempDir(), 'nightly');

    const load = await ackWhileBackingUp(first.node.internalUrl, () =>
      backupCli(backupDir, { BEACON_DATA_DIR: dataDir }),
    );
    expect(load.duringBackup, 'acks were written while the backup ran').toBeGreaterThan(0);
    await stopNode(first);

    const manifest = await readManifest(backupDir);
    printFigures('sqlite', load, manifest);
    expect(manifest).toMatchObject({ backend: 'sqlite', schemaVersion: migrations.length, recordings: false });
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      ['beacon.sqlite', 'jwt-secret', 'tls/ca.crt', 'tls/ca.key', 'tls/server.crt', 'tls/server.key'].sort(),
    );

    // The backup file, read directly: its acks, warnings and row counts.
    const file = new Database(path.join(backupDir, 'beacon.sqlite'), { readonly: true });
    const inFile = new Set(
      file
        .prepare<[], { warning_id: string; township_id: string; acked_at: string }>(
          'SELECT warning_id, township_id, acked_at FROM alert_deliveries WHERE acked_at IS NOT NULL',
        )
        .all()
        .map((r) => key(r.warning_id, r.township_id, r.acked_at)),
    );
    const warningIds = file
      .prepare<[], { id: string }>("SELECT id FROM warnings WHERE status = 'issued'")
      .all()
      .map((r) => r.id);
    for (const [table, rows] of Object.entries(manifest.tables)) {
      expect(file.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`).get()?.n, table).toBe(rows);
    }
    file.close();
    expectAllPresent(load.beforeBackup, inFile, 'acks answered before the backup, in the backup file');
    expectAllPresent(inFile, load.answered, 'acks in the backup file that no terminal was answered');

    // Restore the way an operator does, into a data dir that does not exist yet.
    const restoredDir = path.join(await tempDir(), 'restored');
    const restored = await run(
      process.execPath,
      ['--import', 'tsx', 'signaling/src/backup/cli.ts', 'restore', backupDir, '--data-dir', restoredDir],
      { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
    expect(restored.stdout).toMatch(/restored the backup of/);

    const second = await startNode(restoredDir, {});
    const url = second.node.internalUrl;
    // The token was issued by the first node before the backup: the restored secret still verifies it.
    const onBoards = await ackedOnBoards(url, load.duty, warningIds);
    expect(onBoards.size).toBe(inFile.size);
    expectAllPresent(inFile, onBoards, 'acks of the backup file, on the restored boards');
    expectAllPresent(load.beforeBackup, onBoards, 'acks answered before the backup, on the restored boards');
    const restoredCa = second.node.tls?.caCert as string;
    expect(restoredCa).toBe(caBefore);
    expect(await servedCertificate(second.node.port, caBefore)).toEqual(servedBefore);
    await stopNode(second);
  });

  it('refuses a damaged file, naming it, and writes nothing', async () => {
    const damaged = await copyOf(backupDir);
    const file = path.join(damaged, 'beacon.sqlite');
    const bytes = await readFile(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0xff;
    await writeFile(file, bytes);
    const target = path.join(await tempDir(), 'target');
    const err = await refusal(restoreBackup({ dir: damaged, dataDir: target, databaseUrl: null }));
    expect(err.code).toBe('backup_checksum_mismatch');
    expect(err.message).toMatch(/^beacon\.sqlite: SHA-256 differs/);
    await expect(readFile(path.join(target, 'jwt-secret'))).rejects.toMatchObject({ code: 'ENOENT' });

    // Through the CLI: the code on stderr, exit status 1.
    const cli = await run(process.execPath, ['--import', 'tsx', 'signaling/src/backup/cli.ts', 'restore', damaged], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', BEACON_DATA_DIR: target },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(cli?.code).toBe(1);
    expect(cli?.stderr).toMatch(/^backup_checksum_mismatch: beacon\.sqlite/);
  });

  it('refuses a backup from a newer schema', async () => {
    const newer = await copyOf(backupDir);
    const manifest = await readManifest(newer);
    await writeFile(
      path.join(newer, 'manifest.json'),
      JSON.stringify({ ...manifest, schemaVersion: migrations.length + 1 }),
    );
    const target = path.join(await tempDir(), 'target');
    const err = await refusal(restoreBackup({ dir: newer, dataDir: target, databaseUrl: null }));
    expect(err.code).toBe('backup_newer_schema');
  });

  it('refuses an occupied data dir without --force, and another backend', async () => {
    const occupied = await tempDir();
    await writeFile(path.join(occupied, 'jwt-secret'), 'another deployment’s secret, at least 32 chars\n');
    const err = await refusal(restoreBackup({ dir: backupDir, dataDir: occupied, databaseUrl: null }));
    expect(err.code).toBe('restore_target_not_empty');
    await restoreBackup({ dir: backupDir, dataDir: occupied, databaseUrl: null, force: true });
    expect(await readFile(path.join(occupied, 'jwt-secret'))).toEqual(
      await readFile(path.join(backupDir, 'jwt-secret')),
    );

    const other = await refusal(
      restoreBackup({ dir: backupDir, dataDir: await tempDir(), databaseUrl: 'postgres://beacon@127.0.0.1:1/x' }),
    );
    expect(other.code).toBe('backup_backend_mismatch');
  });
});

const pgMissing = postgresUnavailableReason();
describe.skipIf(pgMissing)(`backup and restore on PostgreSQL${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, () => {
  let server: PostgresServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('dumps under acks with pg_dump, restores with pg_restore into an empty database, every record there', async () => {
    server = await startPostgres();
    const sourceUrl = await server.createDatabase('beacon_live');
    const dataDir = await tempDir();
    const first = await startNode(dataDir, { DATABASE_URL: sourceUrl });
    const caBefore = first.node.tls?.caCert as string;
    const servedBefore = await servedCertificate(first.node.port, caBefore);
    const backupDir = path.join(await tempDir(), 'nightly');

    const load = await ackWhileBackingUp(first.node.internalUrl, () =>
      backupCli(backupDir, { BEACON_DATA_DIR: dataDir, DATABASE_URL: sourceUrl }),
    );
    expect(load.duringBackup, 'acks were written while the backup ran').toBeGreaterThan(0);
    await stopNode(first);
    const manifest = await readManifest(backupDir);
    printFigures('postgres', load, manifest);
    expect(manifest).toMatchObject({ backend: 'postgres', schemaVersion: migrations.length });
    expect(manifest.files.map((f) => f.path)).toContain('postgres.dump');

    const targetUrl = await server.createDatabase('beacon_restored');
    const restoredDir = path.join(await tempDir(), 'restored');
    // restoreBackup compares every table's row count with the manifest's (counted in pg_dump's snapshot).
    await restoreBackup({ dir: backupDir, dataDir: restoredDir, databaseUrl: targetUrl });
    const db = new pg.Client({ connectionString: targetUrl });
    await db.connect();
    const inDump = new Set(
      (
        await db.query<{ warning_id: string; township_id: string; acked_at: string }>(
          'SELECT warning_id, township_id, acked_at FROM alert_deliveries WHERE acked_at IS NOT NULL',
        )
      ).rows.map((r) => key(r.warning_id, r.township_id, r.acked_at)),
    );
    const warningIds = (await db.query<{ id: string }>("SELECT id FROM warnings WHERE status = 'issued'")).rows.map(
      (r) => r.id,
    );
    await db.end();
    expect(inDump.size).toBeGreaterThanOrEqual(load.beforeBackup.size);
    expectAllPresent(load.beforeBackup, inDump, 'acks answered before the backup, in the restored database');
    expectAllPresent(inDump, load.answered, 'acks in the dump that no terminal was answered');

    // A second restore into the now full database is refused without force.
    const again = await refusal(restoreBackup({ dir: backupDir, dataDir: await tempDir(), databaseUrl: targetUrl }));
    expect(again.code).toBe('restore_target_not_empty');
    // With force: pg_restore drops and recreates the dump's objects; the row counts are checked again.
    await restoreBackup({ dir: backupDir, dataDir: restoredDir, databaseUrl: targetUrl, force: true });

    const second = await startNode(restoredDir, { DATABASE_URL: targetUrl });
    const onBoards = await ackedOnBoards(second.node.internalUrl, load.duty, warningIds);
    expect([...onBoards].sort()).toEqual([...inDump].sort());
    expect(await servedCertificate(second.node.port, caBefore)).toEqual(servedBefore);
    // Before the PostgreSQL server goes.
    await stopNode(second);
  });
});

async function copyOf(dir: string): Promise<string> {
  const copy = path.join(await tempDir(), 'copy');
  await cp(dir, copy, { recursive: true });
  return copy;
}

async function refusal(promise: Promise<unknown>): Promise<BackupError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackupError);
  return err as BackupError;
}
