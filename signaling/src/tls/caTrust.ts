/**
 * What trusts Beacon's CA: usually `ca.crt` alone. After a renewal of the CA
 * (caRenewal.ts) it is the trust bundle `ca-bundle.crt` — the new CA and the
 * previous one — until the operator ends the overlap. The bundle is what is
 * handed out wherever ca.crt was (the terminals' download, a media node's and
 * a station's ca.crt, the MQTT broker's client CA, signaling's check of the
 * media nodes), so a certificate issued by either CA verifies; new
 * certificates are issued by the new CA only (`ca.key`).
 */
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export const CA_BUNDLE_FILE = 'ca-bundle.crt';
export const PREVIOUS_CA_CERT_FILE = 'ca-previous.crt';
export const PREVIOUS_CA_KEY_FILE = 'ca-previous.key';

/** The certificates in a PEM text, each as its own PEM block. */
export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((block) => `${block}\n`) ?? [];
}

/** True when `certPem` was issued (and signed) by one of the CAs in `trustPem`. */
export function issuedByAny(certPem: string, trustPem: string): boolean {
  const cert = new X509Certificate(certPem);
  return pemCertificates(trustPem).some((caPem) => {
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  });
}

/** The trust bundle's path when the CA was renewed, else ca.crt's. */
export async function trustPath(dir: string): Promise<string> {
  const bundle = path.join(dir, CA_BUNDLE_FILE);
  return (await readFile(bundle, 'utf8').then(
    () => true,
    () => false,
  ))
    ? bundle
    : path.join(dir, 'ca.crt');
}

/** The PEM that trusts Beacon's CA (see the module comment). */
export async function readTrust(dir: string): Promise<string> {
  return readFile(await trustPath(dir), 'utf8');
}

/** Ends a renewal's overlap (or forgets it for a CA made afresh): only ca.crt is trusted from now on. */
export async function forgetPreviousCa(dir: string): Promise<void> {
  for (const file of [CA_BUNDLE_FILE, PREVIOUS_CA_CERT_FILE, PREVIOUS_CA_KEY_FILE]) {
    await rm(path.join(dir, file), { force: true });
  }
}
