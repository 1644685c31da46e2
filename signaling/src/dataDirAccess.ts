/**
 * The data directory holds what must stay private to Beacon's own account:
 * the SQLite store (conference PINs, SIP digest hashes), the JWT and TURN
 * secrets, the CA key, recordings, Kamailio's subscriber DB. Modes are set
 * explicitly rather than left to the umask: a service started with umask 000
 * (or 022, the default) would otherwise leave them readable by every local
 * user.
 *
 * At start, `secureDataDir` creates the directory 0700 and tightens what an
 * older install left behind: directories to 0700, files lose every group and
 * other bit (0644 → 0600), each change logged. Symbolic links are not
 * followed (a link to /etc must not make Beacon chmod /etc).
 */
import { chmod, lstat, mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from './logger.ts';

const logger = createLogger('dataDir');

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Paths named in the log line; the count says how many more changed. */
const LOGGED_PATHS = 20;

export interface ModeChange {
  path: string;
  /** Permission bits before and after, octal (`'644'` → `'600'`). */
  from: string;
  to: string;
}

const octal = (mode: number) => (mode & 0o777).toString(8);

async function tighten(target: string, mode: number, wanted: number, changes: ModeChange[]): Promise<void> {
  if ((mode & 0o777) === wanted) return;
  try {
    await chmod(target, wanted);
  } catch (err) {
    // Another account's file (copied in as root): Beacon cannot fix it, an admin must; starting anyway.
    logger.error({ err, path: target, mode: octal(mode) }, 'cannot tighten the permissions of a data file');
    return;
  }
  changes.push({ path: target, from: octal(mode), to: octal(wanted) });
}

async function walk(dir: string, changes: ModeChange[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const target = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    // Gone since readdir (a recording segment closing, a WAL checkpoint): nothing to tighten.
    const found = await lstat(target).catch(() => null);
    if (!found) continue;
    if (found.isDirectory()) {
      await tighten(target, found.mode, PRIVATE_DIR_MODE, changes);
      await walk(target, changes);
    } else if (found.isFile()) {
      await tighten(target, found.mode, found.mode & 0o700, changes);
    }
  }
}

/** Creates `dataDir` 0700 (or tightens it) and everything under it; returns what changed. */
export async function secureDataDir(dataDir: string): Promise<ModeChange[]> {
  const changes: ModeChange[] = [];
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // A data dir that is itself a symbolic link (to a mounted volume) is the admin's choice: its target is tightened.
  await tighten(dataDir, (await stat(dataDir)).mode, PRIVATE_DIR_MODE, changes);
  await walk(dataDir, changes);
  if (changes.length > 0) {
    logger.warn(
      { dataDir, changed: changes.length, changes: changes.slice(0, LOGGED_PATHS) },
      'data directory was readable by other accounts: permissions tightened',
    );
  }
  return changes;
}

/** Creates `dir` (and parents) 0700 whatever the umask; an existing one is set to 0700. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates `file` empty with mode 0600 when it does not exist (an existing one is set to 0600): SQLite then
 * opens it as a new database and gives its -wal and -shm files the same mode.
 */
export async function privateFile(file: string): Promise<void> {
  const handle = await open(file, 'a', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } finally {
    await handle.close();
  }
}
