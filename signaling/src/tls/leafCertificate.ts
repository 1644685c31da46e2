/**
 * The `openssl` runs Beacon's CA is made of (CertificateAuthority.ts): one
 * place that runs the command and turns its failure into a coded error, and
 * one that issues a leaf certificate under the CA — the HTTPS server's, a
 * media node's control certificate, signaling's client certificate for the
 * media nodes (mediaNodeCertificates.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class CertificateError extends Error {
  override readonly name = 'CertificateError';
  constructor(
    readonly code: 'tls_bad_name' | 'tls_openssl_failed' | 'tls_names_outside_ca' | 'tls_no_ca' | 'tls_no_certificate',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function runOpenssl(bin: string, args: string[]): Promise<string> {
  try {
    return (await run(bin, args, { timeout: 30_000 })).stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? '';
    throw new CertificateError('tls_openssl_failed', `openssl ${args[0]} failed: ${stderr || (err as Error).message}`, {
      cause: err,
    });
  }
}

export interface LeafCertificateOptions {
  /** The openssl binary. */
  openssl: string;
  caKey: string;
  caCert: string;
  /** Where the new key (mode 0600) and certificate go; written beside, then renamed into place. */
  keyPath: string;
  certPath: string;
  /** Subject CN. It must not look like a DNS name unless it is one the CA may certify (OpenSSL checks it). */
  commonName: string;
  /** `DNS:…`, `IP:…` or `URI:…` entries, validated by the caller (they go into an openssl config file). */
  subjectAltNames: readonly string[];
  extendedKeyUsage: 'serverAuth' | 'clientAuth';
  validityDays: number;
}

/** Writes to temporary names, then renames: a crash never leaves half a key next to a whole certificate. */
export async function issueLeafCertificate(opts: LeafCertificateOptions): Promise<void> {
  const csr = `${opts.certPath}.csr`;
  const ext = `${opts.certPath}.ext`;
  const tmpKey = `${opts.keyPath}.tmp`;
  const tmpCert = `${opts.certPath}.tmp`;
  await writeFile(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${opts.extendedKeyUsage}`,
      `subjectAltName=${opts.subjectAltNames.join(',')}`,
      // Which CA key signed it: after a CA renewal two CAs share one subject (caRenewal.ts).
      'authorityKeyIdentifier=keyid:always',
      '',
    ].join('\n'),
  );
  try {
    await runOpenssl(opts.openssl, [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      tmpKey,
      '-out',
      csr,
      '-subj',
      `/O=Beacon/CN=${opts.commonName}`,
    ]);
    await runOpenssl(opts.openssl, [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      opts.caCert,
      '-CAkey',
      opts.caKey,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      String(opts.validityDays),
      '-sha256',
      '-extfile',
      ext,
      '-out',
      tmpCert,
    ]);
    await chmod(tmpKey, 0o600);
    await rename(tmpKey, opts.keyPath);
    await rename(tmpCert, opts.certPath);
  } finally {
    await rm(csr, { force: true });
    await rm(ext, { force: true });
    await rm(tmpKey, { force: true });
    await rm(tmpCert, { force: true });
  }
}
