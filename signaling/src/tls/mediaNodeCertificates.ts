/**
 * Mutual TLS between signaling and separate media nodes, under Beacon's own
 * CA (<dataDir>/tls/ca.crt, CertificateAuthority.ts):
 *
 * - each media node gets a server certificate for its control address(es)
 *   that also names the node (`URI:urn:beacon:media-node:<nodeId>`), made by
 *   `npm run media-node-cert` on the signaling machine and copied to the node;
 * - signaling gets a client certificate (`URI:urn:beacon:signaling`,
 *   clientAuth only), made here at start and renewed while it runs
 *   (media-nodes/ControlTlsRenewal.ts) once two thirds of its life are gone;
 * - a node's certificate is re-issued for the same node id and names by
 *   `npm run media-node-cert -- --renew --out <dir>` (renewMediaNodeCertificate);
 *   the node loads the new files on SIGHUP or when they change.
 *
 * The node accepts only a client certificate of the CA with the signaling
 * name; signaling accepts only a node certificate of the CA for the address
 * it dialled and, once the node says who it is, for that node id. The
 * extended key usages keep the roles apart: a node's certificate cannot
 * act as signaling, nor the console's HTTPS certificate as either.
 */

import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { certificateNodeId, MEDIA_NODE_URI_PREFIX, SIGNALING_CLIENT_URI } from '@beacon/common';
import { withinSubtrees } from '../net/nameSubtrees.ts';
import { caSubtrees, subjectAltNames } from './CertificateAuthority.ts';
import { issuedByAny, readTrust, trustPath } from './caTrust.ts';
import { CertificateError, issueLeafCertificate } from './leafCertificate.ts';

/** PEM material of one side of the control channel. */
export interface ControlTls {
  ca: string;
  cert: string;
  key: string;
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface CaFiles {
  /** The CA's directory (<dataDir>/tls): ca.crt and ca.key. */
  dir: string;
  /** Default 'openssl'. */
  openssl?: string;
}

function caFiles(dir: string): { caCert: string; caKey: string } {
  return { caCert: path.join(dir, 'ca.crt'), caKey: path.join(dir, 'ca.key') };
}

async function readCa(dir: string): Promise<string> {
  try {
    return await readFile(caFiles(dir).caCert, 'utf8');
  } catch (err) {
    throw new CertificateError('tls_no_ca', `no Beacon CA in ${dir} (start signaling once to create it)`, {
      cause: err,
    });
  }
}

/**
 * Whether a certificate is due for renewal at `now`: two thirds of its life (notBefore → notAfter) are gone.
 * A 397-day certificate is renewed with 132 days left, so a renewal that fails keeps being retried for months.
 */
export function renewalDue(pem: string, now: Date): boolean {
  const cert = new X509Certificate(pem);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return now.getTime() >= from + ((to - from) * 2) / 3;
}

/**
 * Signaling's client certificate for the media nodes (media-client.crt/.key
 * beside the CA): issued when missing, past two thirds of its life
 * (renewalDue) or made by another CA, else reused.
 */
export async function signalingClientTls(opts: CaFiles & { now?: Date; validityDays?: number }): Promise<ControlTls> {
  await readCa(opts.dir);
  // Nodes are checked against the trust bundle after a CA renewal: their certificates of the previous CA still count.
  const ca = await readTrust(opts.dir);
  const keyPath = path.join(opts.dir, 'media-client.key');
  const certPath = path.join(opts.dir, 'media-client.crt');
  const current = await readFile(certPath, 'utf8').catch(() => null);
  const key = await readFile(keyPath, 'utf8').catch(() => null);
  if (!current || !key || renewalDue(current, opts.now ?? new Date()) || !issuedByAny(current, ca)) {
    await issueLeafCertificate({
      ...caFiles(opts.dir),
      openssl: opts.openssl ?? 'openssl',
      keyPath,
      certPath,
      // Spaces: OpenSSL never reads this CN as a DNS name to hold against the CA's name constraints.
      commonName: 'Beacon signaling',
      subjectAltNames: [`URI:${SIGNALING_CLIENT_URI}`],
      extendedKeyUsage: 'clientAuth',
      validityDays: opts.validityDays ?? 397,
    });
  }
  return { ca, cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
}

export interface MediaNodeCertificateOptions extends CaFiles {
  nodeId: string;
  /** Addresses and DNS names signaling reaches the node's control port by (its MEDIA_NODES URL's host). */
  names: readonly string[];
  /** Where node.key, node.crt and ca.crt are written (created, mode 0700). */
  outDir: string;
  /** Default 397. */
  validityDays?: number;
}

/** Issues a media node its control certificate; every name must be within the CA's name constraints. */
export async function issueMediaNodeCertificate(
  opts: MediaNodeCertificateOptions,
): Promise<{ certPath: string; keyPath: string; caPath: string }> {
  if (!NODE_ID.test(opts.nodeId)) {
    throw new CertificateError('tls_bad_name', `not a media node id: ${JSON.stringify(opts.nodeId)}`);
  }
  const sans = subjectAltNames(opts.names);
  await readCa(opts.dir);
  const subtrees = await caSubtrees(caFiles(opts.dir).caCert, opts.openssl);
  const outside = subtrees ? sans.filter((san) => !withinSubtrees(san, subtrees)) : [];
  if (outside.length > 0) {
    throw new CertificateError(
      'tls_names_outside_ca',
      `${outside.join(', ')} not within the CA's name constraints: give the node a name or address the CA may certify (see BEACON_TLS_CA_PERMIT)`,
    );
  }
  await mkdir(opts.outDir, { recursive: true, mode: 0o700 });
  const out = {
    certPath: path.join(opts.outDir, 'node.crt'),
    keyPath: path.join(opts.outDir, 'node.key'),
    caPath: path.join(opts.outDir, 'ca.crt'),
  };
  await issueLeafCertificate({
    ...caFiles(opts.dir),
    openssl: opts.openssl ?? 'openssl',
    keyPath: out.keyPath,
    certPath: out.certPath,
    commonName: `Beacon media node ${opts.nodeId}`,
    subjectAltNames: [...sans, `URI:${MEDIA_NODE_URI_PREFIX}${opts.nodeId}`],
    extendedKeyUsage: 'serverAuth',
    validityDays: opts.validityDays ?? 397,
  });
  // The trust bundle after a CA renewal: the node must accept signaling's client certificate of either CA.
  await copyFile(await trustPath(opts.dir), out.caPath);
  return out;
}

/**
 * Re-issues the node certificate in `outDir` (node.crt as `media-node-cert` wrote it) for the same node id and
 * names, with a new key: the node keeps its identity, signaling notices nothing but a later expiry. `nodeId`,
 * when given, must be the certificate's (a guard against renewing the wrong directory).
 */
export async function renewMediaNodeCertificate(
  opts: CaFiles & { outDir: string; nodeId?: string; validityDays?: number },
): Promise<{ certPath: string; keyPath: string; caPath: string; nodeId: string; names: string[] }> {
  const pem = await readFile(path.join(opts.outDir, 'node.crt'), 'utf8').catch((err: unknown) => {
    throw new CertificateError('tls_no_certificate', `no node.crt in ${opts.outDir} to renew`, { cause: err });
  });
  const cert = new X509Certificate(pem);
  const nodeId = certificateNodeId(cert.subjectAltName);
  if (!nodeId) throw new CertificateError('tls_bad_name', `${opts.outDir}/node.crt names no media node`);
  if (opts.nodeId !== undefined && opts.nodeId !== nodeId) {
    throw new CertificateError(
      'tls_bad_name',
      `${opts.outDir}/node.crt is media node ${nodeId}'s, not ${opts.nodeId}'s`,
    );
  }
  const names = (cert.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .flatMap((entry) => {
      const match = /^(?:DNS|IP Address):(.+)$/.exec(entry);
      return match?.[1] ? [match[1]] : [];
    });
  const issued = await issueMediaNodeCertificate({
    dir: opts.dir,
    nodeId,
    names,
    outDir: opts.outDir,
    ...(opts.openssl ? { openssl: opts.openssl } : {}),
    ...(opts.validityDays ? { validityDays: opts.validityDays } : {}),
  });
  return { ...issued, nodeId, names };
}
