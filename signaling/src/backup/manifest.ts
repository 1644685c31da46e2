/**
 * The manifest: what a backup holds and how to check it. Written last, so a
 * directory without one is a backup that never finished. Every file is listed
 * with its size and SHA-256; restore checks them all before it writes
 * anything, and refuses a schema newer than its own migrations.
 *
 *   backup-dir/
 *     manifest.json        this file
 *     beacon.sqlite        SQLite (online backup)   — or postgres.dump (pg_dump, custom format)
 *     jwt-secret, …        the data dir's secrets, same names
 *     tls/ca.key, …        Beacon's CA and server certificate
 *     recordings/…         only with --recordings
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { BackupError } from './BackupError.ts';

export const MANIFEST_FILE = 'manifest.json';
/** The manifest's own layout; a restore refuses formats it does not know. */
export const MANIFEST_FORMAT = 1;

/** A path inside the backup and inside the data dir: relative, forward slashes, never climbing out. */
const relativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (value) =>
      !value.startsWith('/') &&
      !value.includes('\\') &&
      !value.includes('\0') &&
      value.split('/').every((part) => part !== '' && part !== '.' && part !== '..'),
    'a relative path inside the backup',
  );

export const fileKinds = ['database', 'secret', 'tls', 'recording'] as const;
export type FileKind = (typeof fileKinds)[number];

export const backupFileSchema = z.object({
  path: relativePath,
  kind: z.enum(fileKinds),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256'),
});
export type BackupFile = z.infer<typeof backupFileSchema>;

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  beaconVersion: z.string().min(1),
  createdAt: z.iso.datetime(),
  backend: z.enum(['sqlite', 'postgres']),
  /** The latest migration id applied to the backed-up database. */
  schemaVersion: z.number().int().min(0),
  /** Rows per table in the backed-up database, counted in the same snapshot. */
  tables: z.record(z.string(), z.number().int().min(0)),
  recordings: z.boolean(),
  files: z.array(backupFileSchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface FileDigest {
  size: number;
  sha256: string;
}

/** Size and SHA-256 of a file, streamed (recordings can be large). */
export async function hashFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Copies `from` to a new file `to` (never overwriting) with `mode`, hashing
 * the bytes as they are written and syncing them to disk: the digest
 * describes exactly what landed, even when the source changes meanwhile.
 */
export async function copyHashed(from: string, to: string, mode: number): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: 'wx', mode }));
  // fsync works on the file, not the descriptor: a second descriptor flushes what the stream wrote.
  const written = await open(to, 'r');
  try {
    await written.sync();
  } finally {
    await written.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/** Throws backup_checksum_mismatch unless `actual` is what the manifest lists for `file`. */
export function assertDigest(file: BackupFile, actual: FileDigest): void {
  if (actual.size !== file.size) {
    throw BackupError.checksumMismatch(file.path, `${actual.size} bytes, the manifest says ${file.size}`);
  }
  if (actual.sha256 !== file.sha256) throw BackupError.checksumMismatch(file.path, 'SHA-256 differs from the manifest');
}

/** Checks every listed file of the backup in `dir` (present, same size, same SHA-256). */
export async function verifyFiles(dir: string, manifest: Manifest): Promise<void> {
  for (const file of manifest.files) {
    let digest: FileDigest;
    try {
      digest = await hashFile(path.join(dir, file.path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new BackupError('backup_file_missing', `${file.path} is listed in the manifest but absent`);
    }
    assertDigest(file, digest);
  }
}

/** Refuses a backup whose schema this code cannot open (Beacon migrates older ones forward at start). */
export function assertSchemaSupported(manifest: Pick<Manifest, 'schemaVersion'>, codeSchemaVersion: number): void {
  if (manifest.schemaVersion > codeSchemaVersion)
    throw BackupError.newerSchema(manifest.schemaVersion, codeSchemaVersion);
}

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new BackupError('backup_manifest_missing', `${dir} has no ${MANIFEST_FILE}: not a finished Beacon backup`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BackupError('backup_manifest_invalid', `${MANIFEST_FILE} is not JSON`, { cause: err });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new BackupError('backup_manifest_invalid', `${MANIFEST_FILE}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Written through a temporary name: the manifest appears whole, and only once every file is in place. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const checked = manifestSchema.parse(manifest);
  const file = path.join(dir, MANIFEST_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
