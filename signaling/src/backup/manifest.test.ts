import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupError } from './BackupError.ts';
import {
  assertSchemaSupported,
  copyHashed,
  hashFile,
  MANIFEST_FILE,
  type Manifest,
  readManifest,
  verifyFiles,
  writeManifest,
} from './manifest.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'beacon-manifest-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function backupWith(files: Record<string, string>): Promise<Manifest> {
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const manifest: Manifest = {
    format: 1,
    beaconVersion: '0.1.0',
    createdAt: new Date().toISOString(),
    backend: 'sqlite',
    schemaVersion: 4,
    tables: { townships: 15 },
    recordings: false,
    files: Object.entries(files).map(([name, text]) => ({
      path: name,
      kind: 'secret' as const,
      size: Buffer.byteLength(text),
      sha256: sha256(text),
    })),
  };
  await writeManifest(dir, manifest);
  return manifest;
}

async function refusal(promise: Promise<unknown>): Promise<BackupError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackupError);
  return err as BackupError;
}

describe('manifest', () => {
  it('reads back what was written, and accepts its own files', async () => {
    const manifest = await backupWith({ 'jwt-secret': 'secret-one\n', 'turn-secret': 'secret-two\n' });
    expect(await readManifest(dir)).toEqual(manifest);
    await expect(verifyFiles(dir, manifest)).resolves.toBeUndefined();
    expect((await stat(path.join(dir, MANIFEST_FILE))).mode & 0o777).toBe(0o600);
  });

  it('finds a flipped byte, a truncated file and a missing file', async () => {
    const manifest = await backupWith({ 'jwt-secret': 'secret-one\n' });
    await writeFile(path.join(dir, 'jwt-secret'), 'secret-onE\n');
    expect((await refusal(verifyFiles(dir, manifest))).code).toBe('backup_checksum_mismatch');
    await writeFile(path.join(dir, 'jwt-secret'), 'secret');
    const truncated = await refusal(verifyFiles(dir, manifest));
    expect(truncated.code).toBe('backup_checksum_mismatch');
    expect(truncated.message).toMatch(/6 bytes, the manifest says 11/);
    await rm(path.join(dir, 'jwt-secret'));
    expect((await refusal(verifyFiles(dir, manifest))).code).toBe('backup_file_missing');
  });

  it('refuses a directory without a manifest, and a manifest that is not one', async () => {
    expect((await refusal(readManifest(dir))).code).toBe('backup_manifest_missing');
    await writeFile(path.join(dir, MANIFEST_FILE), '{ not json');
    expect((await refusal(readManifest(dir))).code).toBe('backup_manifest_invalid');
    await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ format: 2 }));
    expect((await refusal(readManifest(dir))).code).toBe('backup_manifest_invalid');
  });

  it('refuses paths that would land outside the data dir', async () => {
    const manifest = await backupWith({ 'jwt-secret': 'x' });
    for (const bad of ['../etc/passwd', '/etc/passwd', 'tls/../../x', 'tls//ca.key', 'a\\b']) {
      const file = { ...manifest.files[0], path: bad };
      await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, files: [file] }));
      const err = await refusal(readManifest(dir));
      expect(err.code, bad).toBe('backup_manifest_invalid');
      expect(err.message).toMatch(/files\.0\.path/);
    }
  });

  it('refuses a schema newer than the code, accepts the same and older ones', () => {
    expect(() => assertSchemaSupported({ schemaVersion: 4 }, 4)).not.toThrow();
    expect(() => assertSchemaSupported({ schemaVersion: 2 }, 4)).not.toThrow();
    let err: unknown;
    try {
      assertSchemaSupported({ schemaVersion: 5 }, 4);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BackupError);
    expect((err as BackupError).code).toBe('backup_newer_schema');
    expect((err as BackupError).message).toMatch(/migration 5, newer than this Beacon's \(4\)/);
  });
});

describe('hashing and copying', () => {
  it('hashes what it copies, sets the mode and never overwrites', async () => {
    const text = '烽火'.repeat(100_000);
    await writeFile(path.join(dir, 'from'), text);
    const copied = await copyHashed(path.join(dir, 'from'), path.join(dir, 'to'), 0o600);
    expect(copied).toEqual({ size: Buffer.byteLength(text), sha256: sha256(text) });
    expect(await hashFile(path.join(dir, 'to'))).toEqual(copied);
    expect(await readFile(path.join(dir, 'to'), 'utf8')).toBe(text);
    expect((await stat(path.join(dir, 'to'))).mode & 0o777).toBe(0o600);
    await expect(copyHashed(path.join(dir, 'from'), path.join(dir, 'to'), 0o600)).rejects.toMatchObject({
      code: 'EEXIST',
    });
  });
});
