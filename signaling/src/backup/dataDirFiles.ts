/**
 * Which files of the data dir a backup takes, besides the database:
 *
 *   <dataDir>/<file>        every top-level file: the generated secrets
 *                           (jwt-secret, turn-secret, and any later one, so a
 *                           new secret file is never silently left out)
 *   <dataDir>/tls/          Beacon's CA and server certificate (BEACON_TLS=auto)
 *   <dataDir>/recordings/   with `recordings: true` only (large, often kept elsewhere)
 *
 * Left out: the SQLite files themselves (copied through the online backup
 * API instead: a plain copy of a live WAL database is not consistent), and
 * directories Beacon rebuilds at every start — `sip/` (Kamailio's config and
 * its subscriber file, written from the phones in the store) and `turn/`
 * (coturn's config and certificate copies). Registrations of desk phones are
 * in Kamailio's memory and are renewed by the phones.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FileKind } from './manifest.ts';

export const SQLITE_FILE = 'beacon.sqlite';
/** The SQLite file and its companions: never copied as plain files, removed before a restored file goes in. */
export const SQLITE_FILES = [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`, `${SQLITE_FILE}-journal`];
export const TLS_DIR = 'tls';
export const RECORDINGS_DIR = 'recordings';

export interface DataDirFile {
  /** Relative to the data dir, forward slashes. */
  path: string;
  kind: FileKind;
}

export interface DataDirListing {
  files: DataDirFile[];
  /** Top-level directories left out (rebuilt at start, or recordings without the option). */
  skipped: string[];
}

/** Half-written files of an atomic write (name.tmp → rename): the finished one is there or will be. */
const isTemporary = (name: string) => name.endsWith('.tmp');

export async function listDataDirFiles(dataDir: string, opts: { recordings: boolean }): Promise<DataDirListing> {
  const files: DataDirFile[] = [];
  const skipped: string[] = [];
  for (const entry of await entries(dataDir)) {
    if (entry.isFile()) {
      if (!SQLITE_FILES.includes(entry.name) && !isTemporary(entry.name))
        files.push({ path: entry.name, kind: 'secret' });
    } else if (entry.isDirectory() && entry.name === TLS_DIR) {
      files.push(...(await walk(dataDir, TLS_DIR, 'tls')));
    } else if (entry.isDirectory() && entry.name === RECORDINGS_DIR && opts.recordings) {
      files.push(...(await walk(dataDir, RECORDINGS_DIR, 'recording')));
    } else if (entry.isDirectory()) {
      skipped.push(entry.name);
    }
    // Symbolic links and special files are not Beacon's: left where they are.
  }
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), skipped: skipped.sort() };
}

/** Regular files under `dataDir/relative`, recursively. */
async function walk(dataDir: string, relative: string, kind: FileKind): Promise<DataDirFile[]> {
  const found: DataDirFile[] = [];
  for (const entry of await entries(path.join(dataDir, relative))) {
    const child = `${relative}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await walk(dataDir, child, kind)));
    else if (entry.isFile() && !isTemporary(entry.name)) found.push({ path: child, kind });
  }
  return found;
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** True when `dir` is absent or holds nothing. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  return (await entries(dir)).length === 0;
}
