/**
 * Renewal of Beacon's own CA (valid 10 years; `npm run ca-renew`). A new key
 * and self-signed certificate with the same subject and the same name
 * constraints replace ca.key/ca.crt; the previous certificate (and key, for
 * a rollback) are kept as ca-previous.*, and the trust bundle ca-bundle.crt
 * (new + previous) is handed out wherever ca.crt was (caTrust.ts).
 *
 * The previous CA's `pathlen:0` forbids cross-signing the new one under it,
 * so the overlap works by trust, not by chain: everything that trusts Beacon
 * gets the bundle (terminals download it again, nodes and stations get it
 * with their next certificate or by copy), certificates already issued by the
 * previous CA keep working until they are due, and every certificate issued
 * from now on comes from the new CA. `npm run ca-renew -- --finish` ends the
 * overlap once nothing relies on the previous CA.
 *
 * A CA made before name constraints existed is renewed with constraints: the
 * names of the server certificate it issued, plus the permitted subtrees.
 */
import { X509Certificate } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostSubtrees, parseSubtree, type Subtree } from '../net/nameSubtrees.ts';
import { caSubtrees, makeCaFiles } from './CertificateAuthority.ts';
import { CA_BUNDLE_FILE, PREVIOUS_CA_CERT_FILE, PREVIOUS_CA_KEY_FILE } from './caTrust.ts';
import { CertificateError } from './leafCertificate.ts';
import { sha256Fingerprint } from './serverTls.ts';

export interface CaRenewalOptions {
  /** The CA's directory (<dataDir>/tls). */
  dir: string;
  /** Default 3650. */
  validityDays?: number;
  /** Subtrees for a CA that had no name constraints, besides its server certificate's names (BEACON_TLS_CA_PERMIT). */
  permitted?: readonly string[];
  /** Default 'openssl'. */
  openssl?: string;
}

export interface CaRenewal {
  subject: string;
  previous: { fingerprint: string; notAfter: Date };
  current: { fingerprint: string; notAfter: Date };
  subtrees: Subtree[];
  bundlePath: string;
}

/** The subject as `openssl req -subj` takes it, from Node's `O=Beacon\nCN=…` form. */
export function opensslSubject(subject: string): string {
  return subject
    .split('\n')
    .filter(Boolean)
    .map((part) => `/${part.replace(/([/\\])/g, '\\$1')}`)
    .join('');
}

export async function renewCa(opts: CaRenewalOptions): Promise<CaRenewal> {
  const opensslBin = opts.openssl ?? 'openssl';
  const caCert = path.join(opts.dir, 'ca.crt');
  const caKey = path.join(opts.dir, 'ca.key');
  const [previousPem, previousKey] = await Promise.all([readFile(caCert, 'utf8'), readFile(caKey, 'utf8')]).catch(
    (err: unknown) => {
      throw new CertificateError('tls_no_ca', `no Beacon CA in ${opts.dir} to renew`, { cause: err });
    },
  );
  const previous = new X509Certificate(previousPem);
  const subtrees = (await caSubtrees(caCert, opensslBin)) ?? (await legacySubtrees(opts));
  await makeCaFiles(opensslBin, {
    keyPath: `${caKey}.new`,
    certPath: `${caCert}.new`,
    subject: opensslSubject(previous.subject),
    validityDays: opts.validityDays ?? 3650,
    subtrees,
  });
  const currentPem = await readFile(`${caCert}.new`, 'utf8');
  // Kept before the switch: a crash in between leaves the old CA in place and the bundle already trusting both.
  const previousKeyPath = path.join(opts.dir, PREVIOUS_CA_KEY_FILE);
  await writeFile(previousKeyPath, previousKey, { mode: 0o600 });
  await chmod(previousKeyPath, 0o600);
  await writeFile(path.join(opts.dir, PREVIOUS_CA_CERT_FILE), previousPem);
  const bundlePath = path.join(opts.dir, CA_BUNDLE_FILE);
  await writeFile(bundlePath, `${currentPem.trim()}\n${previousPem.trim()}\n`, { mode: 0o644 });
  await rename(`${caKey}.new`, caKey);
  await rename(`${caCert}.new`, caCert);
  const current = new X509Certificate(currentPem);
  return {
    subject: previous.subject,
    previous: { fingerprint: sha256Fingerprint(previousPem), notAfter: new Date(previous.validTo) },
    current: { fingerprint: sha256Fingerprint(currentPem), notAfter: new Date(current.validTo) },
    subtrees,
    bundlePath,
  };
}

/** Constraints for a CA that had none: the names of the server certificate it issued, and the permitted ones. */
async function legacySubtrees(opts: CaRenewalOptions): Promise<Subtree[]> {
  const server = await readFile(path.join(opts.dir, 'server.crt'), 'utf8').catch(() => null);
  const sans = (server ? (new X509Certificate(server).subjectAltName ?? '') : '')
    .split(',')
    .map((entry) => entry.trim().replace(/^IP Address:/, 'IP:'))
    .filter((entry) => /^(DNS|IP):/.test(entry));
  const extra = (opts.permitted ?? []).flatMap((text) => {
    const subtree = parseSubtree(text);
    return subtree ? [subtree] : [];
  });
  const subtrees = [...hostSubtrees(sans), ...extra];
  if (subtrees.length === 0) {
    throw new CertificateError(
      'tls_bad_name',
      'the CA has no name constraints and no server certificate to take its names from: list them in BEACON_TLS_CA_PERMIT',
    );
  }
  return subtrees;
}
