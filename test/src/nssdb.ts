/**
 * A home directory whose NSS database trusts Beacon's CA, the way a terminal
 * is set up after following the certificate help page (`certutil -A -t C,,`).
 * Chromium on Linux reads locally trusted roots from $HOME/.pki/nssdb, so a
 * browser launched with this HOME trusts Beacon's HTTPS origin and nothing
 * else changes (no --ignore-certificate-errors).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BrowserHome {
  home: string;
  remove(): Promise<void>;
}

/** A fresh HOME; with `caCert`, its NSS database trusts that CA for websites. */
export async function browserHome(caCert?: string): Promise<BrowserHome> {
  const home = await mkdtemp(join(tmpdir(), 'beacon-home-'));
  if (caCert) {
    const db = join(home, '.pki', 'nssdb');
    await mkdir(db, { recursive: true });
    await run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    const caFile = join(home, 'beacon-ca.crt');
    await writeFile(caFile, caCert);
    await run('certutil', ['-A', '-d', `sql:${db}`, '-t', 'C,,', '-n', 'Beacon CA', '-i', caFile]);
  }
  return { home, remove: () => rm(home, { recursive: true, force: true }) };
}
