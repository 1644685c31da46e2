/**
 * Beacon's own certificate authority: browsers open a camera only on
 * a secure origin, and township terminals reach the city's servers by an IP
 * address or an intranet name no public CA will certify. So on first start
 * Beacon creates a CA (10 years) and a server certificate for its host names
 * and addresses (397 days, the most browsers accept), keeps them in
 * `<dataDir>/tls/`, reuses them afterwards, and issues a new server
 * certificate when the names change or expiry is near. Terminals trust the CA
 * once (the console offers `ca.crt` for download).
 *
 * Keys and certificates are made by the `openssl` command (Debian's openssl
 * 3): Node can read X.509 but not write it, and a hand-rolled ASN.1 encoder
 * is not something to trust with a city's TLS.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { createLogger } from '../logger.ts';
import { hostSubtrees, parseSubtree, type Subtree, withinSubtrees } from '../net/nameSubtrees.ts';
import { nameConstraintsExtension, parseOpensslConstraints } from './caNameConstraints.ts';
import { forgetPreviousCa, issuedByAny, readTrust, trustPath } from './caTrust.ts';
import { CertificateError, issueLeafCertificate, runOpenssl } from './leafCertificate.ts';

export { CertificateError } from './leafCertificate.ts';

const logger = createLogger('CertificateAuthority');

export interface CertificateOptions {
  /** Directory for ca.key, ca.crt, server.key, server.crt (created, mode 0700). */
  dir: string;
  /** DNS names and IP addresses the server certificate must cover (at least one). */
  names: readonly string[];
  /** Default 3650. */
  caValidityDays?: number;
  /** Default 397: browsers refuse longer-lived server certificates. */
  serverValidityDays?: number;
  /** Issue a new server certificate this many days before it expires. Default 30. */
  renewBeforeDays?: number;
  /** For tests: what "now" is. */
  now?: Date;
  /** Default 'openssl'. */
  openssl?: string;
  /**
   * Subtrees a new CA may certify besides `names` (domains, addresses, CIDR networks): where the server may
   * move without terminals trusting a new CA. Default none. Read only when a CA is created.
   */
  permitted?: readonly string[];
}

export interface Certificates {
  caCertPath: string;
  certPath: string;
  keyPath: string;
  /** The CA that issues (ca.crt). */
  caCert: string;
  /** What to trust Beacon's certificates with: ca.crt, or after a CA renewal the new and previous CA (caTrust.ts). */
  trust: string;
  trustPath: string;
  cert: string;
  key: string;
  /** What happened on this call: nothing, a new server certificate, or a new CA (and certificate). */
  action: 'reused' | 'issued' | 'created';
  notAfter: Date;
}

const DNS_NAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?:\.(?!-)[A-Za-z0-9-]{1,63})*\.?$/;

/** `DNS:x` / `IP:y` entries, validated (they go into an openssl config file). */
export function subjectAltNames(names: readonly string[]): string[] {
  if (names.length === 0) throw new CertificateError('tls_bad_name', 'at least one host name or address is needed');
  return [...new Set(names)].map((name) => {
    if (isIP(name)) return `IP:${name}`;
    if (DNS_NAME.test(name)) return `DNS:${name}`;
    throw new CertificateError('tls_bad_name', `not a host name or IP address: ${JSON.stringify(name)}`);
  });
}

export async function ensureCertificates(opts: CertificateOptions): Promise<Certificates> {
  const now = opts.now ?? new Date();
  const wanted = subjectAltNames(opts.names);
  const extra = (opts.permitted ?? []).map((text) => {
    const subtree = parseSubtree(text);
    if (!subtree)
      throw new CertificateError('tls_bad_name', `not a domain, address or network: ${JSON.stringify(text)}`);
    return subtree;
  });
  const files = {
    caKey: path.join(opts.dir, 'ca.key'),
    caCert: path.join(opts.dir, 'ca.crt'),
    key: path.join(opts.dir, 'server.key'),
    cert: path.join(opts.dir, 'server.crt'),
  };
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });

  let action: Certificates['action'] = 'reused';
  let ca = await readIfPresent(files.caCert);
  if (!ca || !(await readIfPresent(files.caKey)) || expiresWithin(ca, now, 0)) {
    await createCa(opts, files, [...hostSubtrees(wanted), ...extra]);
    ca = await readFile(files.caCert, 'utf8');
    action = 'created';
  }
  const sans = await certifiable(opts, files.caCert, wanted);
  let cert = await readIfPresent(files.cert);
  const renewBefore = opts.renewBeforeDays ?? 30;
  const stale =
    !cert ||
    action === 'created' ||
    !(await readIfPresent(files.key)) ||
    expiresWithin(cert, now, renewBefore) ||
    // One issued by the previous CA of a renewal stays until it is due: terminals may not trust the new CA yet.
    !issuedByAny(cert, await readTrust(opts.dir)) ||
    !sameNames(cert, sans);
  if (stale) {
    await issueServerCertificate(opts, files, sans);
    cert = await readFile(files.cert, 'utf8');
    if (action === 'reused') action = 'issued';
  }
  const notAfter = new Date(new X509Certificate(cert as string).validTo);
  if (action !== 'reused') logger.info({ action, names: sans, notAfter }, 'TLS certificate ready');
  return {
    caCertPath: files.caCert,
    certPath: files.cert,
    keyPath: files.key,
    caCert: ca,
    trust: await readTrust(opts.dir),
    trustPath: await trustPath(opts.dir),
    cert: cert as string,
    key: await readFile(files.key, 'utf8'),
    action,
    notAfter,
  };
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function expiresWithin(pem: string, now: Date, days: number): boolean {
  const validTo = Date.parse(new X509Certificate(pem).validTo);
  return validTo - now.getTime() < days * 86_400_000;
}

export function issuedBy(certPem: string, caPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** The certificate covers exactly these names (a changed address means a new certificate). */
export function sameNames(certPem: string, sans: readonly string[]): boolean {
  const have = (new X509Certificate(certPem).subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim().replace(/^IP Address:/, 'IP:'))
    .filter(Boolean)
    .sort();
  return JSON.stringify(have) === JSON.stringify([...sans].sort());
}

/** The subtrees the CA in `caCertPath` may certify (its name constraints), or null when it has none. */
export async function caSubtrees(caCertPath: string, opensslBin = 'openssl'): Promise<Subtree[] | null> {
  return parseOpensslConstraints(
    await runOpenssl(opensslBin, ['x509', '-in', caCertPath, '-noout', '-ext', 'nameConstraints']),
  );
}

/**
 * The names the CA may certify: all of them for a CA without name constraints (made before they existed);
 * otherwise those inside its subtrees, the others left out with a warning (an address that came up later,
 * e.g. a VPN's, must not stop the server). None inside is an error saying what to do.
 */
export async function certifiable(
  opts: Pick<CertificateOptions, 'openssl'>,
  caCert: string,
  sans: readonly string[],
): Promise<string[]> {
  const subtrees = await caSubtrees(caCert, opts.openssl);
  if (!subtrees) return [...sans];
  const inside = sans.filter((san) => withinSubtrees(san, subtrees));
  const outside = sans.filter((san) => !inside.includes(san));
  if (outside.length > 0) {
    logger.warn(
      { outside, caCert },
      "names outside the CA's name constraints are left out of the server certificate; to cover them, move ca.crt/ca.key away (terminals must trust the new CA) or list them in BEACON_TLS_CA_PERMIT before a CA is made",
    );
  }
  if (inside.length === 0) {
    throw new CertificateError(
      'tls_names_outside_ca',
      `none of ${sans.join(', ')} is within the CA's name constraints (${caCert})`,
    );
  }
  return inside;
}

/** A new CA; a CA renewed before (caRenewal.ts) leaves its trust bundle, which a new CA makes stale. */
async function createCa(
  opts: CertificateOptions,
  files: { caKey: string; caCert: string },
  subtrees: readonly Subtree[],
): Promise<void> {
  await makeCaFiles(opts.openssl ?? 'openssl', {
    keyPath: files.caKey,
    certPath: files.caCert,
    subject: `/O=Beacon/CN=Beacon CA ${randomBytes(3).toString('hex')}`,
    validityDays: opts.caValidityDays ?? 3650,
    subtrees,
  });
  await forgetPreviousCa(path.dirname(files.caCert));
}

/**
 * A CA key and self-signed certificate (P-256, CA:TRUE pathlen:0, the name constraints), written to temporary
 * names, then renamed: a crash never leaves half a key next to a whole certificate.
 */
export async function makeCaFiles(
  opensslBin: string,
  files: { keyPath: string; certPath: string; subject: string; validityDays: number; subtrees: readonly Subtree[] },
): Promise<void> {
  const tmpKey = `${files.keyPath}.tmp`;
  const tmpCert = `${files.certPath}.tmp`;
  await runOpenssl(opensslBin, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    tmpKey,
    '-out',
    tmpCert,
    '-days',
    String(files.validityDays),
    '-subj',
    files.subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-addext',
    nameConstraintsExtension(files.subtrees),
  ]);
  await chmod(tmpKey, 0o600);
  await rename(tmpKey, files.keyPath);
  await rename(tmpCert, files.certPath);
}

function issueServerCertificate(
  opts: CertificateOptions,
  files: { caKey: string; caCert: string; key: string; cert: string },
  sans: readonly string[],
): Promise<void> {
  return issueLeafCertificate({
    openssl: opts.openssl ?? 'openssl',
    caKey: files.caKey,
    caCert: files.caCert,
    keyPath: files.key,
    certPath: files.cert,
    commonName: (sans[0] as string).replace(/^(DNS|IP):/, ''),
    subjectAltNames: sans,
    extendedKeyUsage: 'serverAuth',
    validityDays: opts.serverValidityDays ?? 397,
  });
}
