/**
 * Kannel's passwords, generated on first start and kept in
 * `<dataDir>/kannel/secrets.json` (mode 0600): the admin and status passwords
 * of bearerbox's HTTP interface, the sendsms user's password, and the key that
 * signs the URLs Kannel calls back (delivery reports, replies). Never a
 * published default: every install has its own. An operator who wants
 * Kannel's status page reads the file.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KannelError } from './KannelError.ts';

const secret = z.string().regex(/^[A-Za-z0-9_-]{32,}$/);
const secretsSchema = z.object({ admin: secret, status: secret, sendsms: secret, callback: secret });
export type KannelSecrets = z.infer<typeof secretsSchema>;

const fresh = () => randomBytes(24).toString('base64url');

export function kannelSecrets(workDir: string): KannelSecrets {
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const file = path.join(workDir, 'secrets.json');
  const generated: KannelSecrets = { admin: fresh(), status: fresh(), sendsms: fresh(), callback: fresh() };
  try {
    writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const parsed = secretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new KannelError('bad_config', `${file} is damaged; delete it to generate new passwords`);
  return parsed.data;
}
