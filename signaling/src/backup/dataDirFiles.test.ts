import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isEmptyDir, listDataDirFiles } from './dataDirFiles.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'beacon-datadir-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function put(relative: string, text = 'x'): Promise<void> {
  await mkdir(path.dirname(path.join(dataDir, relative)), { recursive: true });
  await writeFile(path.join(dataDir, relative), text);
}

it('takes secrets and TLS material, leaves the live SQLite files and rebuilt directories', async () => {
  expect(await isEmptyDir(dataDir)).toBe(true);
  expect(await isEmptyDir(path.join(dataDir, 'absent'))).toBe(true);
  for (const file of [
    'beacon.sqlite',
    'beacon.sqlite-wal',
    'beacon.sqlite-shm',
    'jwt-secret',
    'turn-secret',
    'admin-password',
    'tls/ca.key',
    'tls/ca.crt',
    'tls/server.key.tmp',
    'sip/kamailio.cfg',
    'turn/turnserver.conf',
    'recordings/m1/part-1.webm',
  ]) {
    await put(file);
  }
  await symlink('/etc/hostname', path.join(dataDir, 'linked'));
  expect(await isEmptyDir(dataDir)).toBe(false);

  const listing = await listDataDirFiles(dataDir, { recordings: false });
  expect(listing.files).toEqual([
    { path: 'admin-password', kind: 'secret' },
    { path: 'jwt-secret', kind: 'secret' },
    { path: 'tls/ca.crt', kind: 'tls' },
    { path: 'tls/ca.key', kind: 'tls' },
    { path: 'turn-secret', kind: 'secret' },
  ]);
  expect(listing.skipped).toEqual(['recordings', 'sip', 'turn']);

  const withRecordings = await listDataDirFiles(dataDir, { recordings: true });
  expect(withRecordings.files).toContainEqual({ path: 'recordings/m1/part-1.webm', kind: 'recording' });
  expect(withRecordings.skipped).toEqual(['sip', 'turn']);
});
