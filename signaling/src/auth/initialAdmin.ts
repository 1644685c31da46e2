/**
 * The one-time password of a deployment's first admin (no demo data): made
 * here, shown once in the log, and kept in `<dataDir>/initial-admin-password`
 * (mode 0600) for whoever installs the server. The file goes away once that
 * admin's password changes (`retireInitialAdminPassword`): from then on it
 * would only describe a password that no longer works.
 */
import { randomInt } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../logger.ts';
import type { InitialAdminSeed } from '../store/seedAdmin.ts';

const log = createLogger('auth');

export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

/** No 0/o, 1/l/i: read off a screen and typed, so nothing to confuse. 31 symbols × 16 ≈ 79 bits. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** Like `k7m2-pq9x-…`: 19 characters, passes the password policy, never a common password. */
export function randomAdminPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

export const initialAdminPasswordFile = (dataDir: string): string => path.join(dataDir, INITIAL_ADMIN_PASSWORD_FILE);

/** What openStore needs to seed the admin; shown (log + file) only if it really was seeded. */
export function initialAdminSeed(dataDir: string, password = randomAdminPassword()): InitialAdminSeed {
  return {
    password,
    onSeeded: () => {
      const file = initialAdminPasswordFile(dataDir);
      // Logged first: if the file cannot be written, the password is still shown once.
      log.warn(
        // Not `password`: the loggers redact that field, and this one must be shown.
        { username: 'admin', oneTimePassword: password, file },
        'initial admin created: sign in as admin with this one-time password and choose your own (shown only now)',
      );
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      // `mode` applies only to a new file: one left by an earlier, interrupted start is narrowed too.
      chmodSync(file, 0o600);
    },
  };
}

/** Removes the file (if any) once the admin's one-time password is no longer theirs. */
export function retireInitialAdminPassword(dataDir: string): void {
  const file = initialAdminPasswordFile(dataDir);
  try {
    rmSync(file);
    log.info({ file }, 'the initial admin password was changed: its file is removed');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, file }, 'could not remove the file');
  }
}
