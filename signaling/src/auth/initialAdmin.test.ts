import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  INITIAL_ADMIN_PASSWORD_FILE,
  initialAdminSeed,
  randomAdminPassword,
  retireInitialAdminPassword,
} from './initialAdmin.ts';
import { assertPasswordAcceptable } from './passwordPolicy.ts';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-admin-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the initial admin password', () => {
  it('is random, easy to type, and passes the password policy', () => {
    const passwords = Array.from({ length: 50 }, () => randomAdminPassword());
    expect(new Set(passwords).size).toBe(50);
    for (const password of passwords) {
      expect(password).toMatch(/^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);
      expect(() => assertPasswordAcceptable(password, 'admin')).not.toThrow();
    }
  });

  it('is written to a 0600 file only once the admin was seeded', async () => {
    const dir = dataDir();
    const file = path.join(dir, INITIAL_ADMIN_PASSWORD_FILE);
    const seed = initialAdminSeed(dir);
    expect(existsSync(file)).toBe(false);
    await seed.onSeeded();
    expect(readFileSync(file, 'utf8')).toBe(`${seed.password}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('narrows a file left by an interrupted start to 0600', async () => {
    const dir = dataDir();
    const file = path.join(dir, INITIAL_ADMIN_PASSWORD_FILE);
    writeFileSync(file, 'old\n', { mode: 0o644 });
    const seed = initialAdminSeed(dir);
    await seed.onSeeded();
    expect(readFileSync(file, 'utf8')).toBe(`${seed.password}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is removed once used, and removing it twice is fine', async () => {
    const dir = dataDir();
    await initialAdminSeed(dir).onSeeded();
    retireInitialAdminPassword(dir);
    expect(existsSync(path.join(dir, INITIAL_ADMIN_PASSWORD_FILE))).toBe(false);
    expect(() => retireInitialAdminPassword(dir)).not.toThrow();
  });
});
