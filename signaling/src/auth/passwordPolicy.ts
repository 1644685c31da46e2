/**
 * What a new password must be: at least 10 characters, not the username
 * (nor containing it), and not one of the passwords attackers try first
 * (common-passwords.txt, shipped with Beacon). Each refusal is a coded error
 * the console shows in the user's language.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BeaconError } from '@beacon/protocol';

export const MIN_PASSWORD_LENGTH = 10;

/**
 * Read from the source tree in both layouts: `../../src/auth` is this folder
 * from src/auth and from dist/auth, and tsc does not copy text files to dist.
 */
const LIST_FILE = fileURLToPath(new URL('../../src/auth/common-passwords.txt', import.meta.url));

let common: ReadonlySet<string> | undefined;

/** The shipped list, lower case, read once on first use. */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(LIST_FILE, 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line.length > 0 && !line.startsWith('#')),
  );
  return common;
}

/** Characters, not UTF-16 units: a Chinese passphrase counts what the user typed. */
const lengthOf = (text: string): number => [...text.normalize('NFC')].length;

/** Throws `password_too_short`, `password_is_username` or `password_too_common`; returns for an acceptable one. */
export function assertPasswordAcceptable(password: string, username: string): void {
  if (lengthOf(password) < MIN_PASSWORD_LENGTH) {
    throw new BeaconError(
      'password_too_short',
      `密码至少 ${MIN_PASSWORD_LENGTH} 个字符 / the password needs at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
  const lower = password.normalize('NFC').toLowerCase();
  const name = username.normalize('NFC').toLowerCase();
  if (name.length > 0 && lower.includes(name)) {
    throw new BeaconError('password_is_username', '密码不能包含用户名 / the password must not contain the username');
  }
  if (commonPasswords().has(lower)) {
    throw new BeaconError(
      'password_too_common',
      '密码过于常见，容易被猜中 / this password is too common: it is among the first an attacker tries',
    );
  }
}
