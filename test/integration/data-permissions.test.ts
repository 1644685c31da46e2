/**
 * Secrets at rest: a node started with the most permissive umask (000) keeps
 * its data dir, SQLite store (PINs, SIP digest hashes), JWT secret, CA key and
 * recordings to its own account, and tightens what an older install left
 * readable.
 */
import { chmod, lstat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, startTestNode, type TestNode } from './helpers.ts';

const modeOf = async (target: string) => ((await lstat(target)).mode & 0o777).toString(8);

describe('data directory permissions with umask 000', () => {
  let node: TestNode;
  let dataDir: string;
  let umask: number;

  beforeAll(async () => {
    umask = process.umask(0);
    dataDir = path.join(await makeDataDir(), 'data');
    // An older install: everything world-readable.
    await mkdir(path.join(dataDir, 'recordings'), { recursive: true, mode: 0o777 });
    await writeFile(path.join(dataDir, 'recordings', 'old.webm'), 'x', { mode: 0o644 });
    await chmod(dataDir, 0o755);
    node = await startTestNode({ dataDir, env: { BEACON_TLS: 'auto', BEACON_HTTP_PORT: 'off' } });
  });
  afterAll(async () => {
    await node?.stop();
    process.umask(umask);
  });

  it('keeps the store, secrets, CA key and recordings private to the service account', async () => {
    expect(await modeOf(dataDir)).toBe('700');
    expect(await modeOf(path.join(dataDir, 'beacon.sqlite'))).toBe('600');
    // Written since start (WAL mode): SQLite gives them the database file's mode.
    expect(await modeOf(path.join(dataDir, 'beacon.sqlite-wal'))).toBe('600');
    expect(await modeOf(path.join(dataDir, 'jwt-secret'))).toBe('600');
    expect(await modeOf(path.join(dataDir, 'tls'))).toBe('700');
    expect(await modeOf(path.join(dataDir, 'tls', 'ca.key'))).toBe('600');
    expect(await modeOf(path.join(dataDir, 'tls', 'server.key'))).toBe('600');
    expect(await modeOf(path.join(dataDir, 'recordings'))).toBe('700');
    expect(await modeOf(path.join(dataDir, 'recordings', 'old.webm'))).toBe('600');
  });
});
