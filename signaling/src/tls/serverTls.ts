/**
 * What the HTTPS listener serves, from the configured TLS mode:
 *  - auto:  Beacon's own CA and a server certificate for this machine's names
 *           and addresses (CertificateAuthority.ts), created on first start,
 *           reused, renewed before expiry. Terminals trust the CA once.
 *  - files: an admin's certificate and key (e.g. from the government's CA).
 *           Checked here so a wrong pair fails at start with a clear message,
 *           not at the first browser's handshake. HSTS is sent only in this
 *           mode: pinning browsers to HTTPS is safe once the certificate is
 *           one they trust without help.
 *  - off:   null (plain HTTP behind a TLS proxy, or tests).
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { ensureCertificates } from './CertificateAuthority.ts';

const logger = createLogger('tls');

export type TlsErrorCode = 'tls_file_unreadable' | 'tls_cert_invalid' | 'tls_key_mismatch' | 'tls_cert_expired';

export class TlsSetupError extends Error {
  override readonly name = 'TlsSetupError';
  constructor(
    readonly code: TlsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TlsMaterial {
  mode: 'auto' | 'files';
  key: string;
  cert: string;
  /** Beacon's CA (auto mode) for terminals to download; null with an admin's certificate. */
  caCert: string | null;
  caCertPath: string | null;
  /** SHA-256 fingerprint of the CA (auto) or the certificate (files), colon-separated hex, for the help page. */
  fingerprint: string;
  /** Send Strict-Transport-Security (files mode only). */
  hsts: boolean;
  notAfter: Date;
}

/** Fingerprint as browsers and `openssl x509 -fingerprint -sha256` print it. */
export function sha256Fingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)?.join(':') ?? '';
}

/**
 * Loads or creates the TLS material. `names` are the DNS names and addresses
 * the auto certificate must cover (addresses.ts decides them).
 */
export async function prepareTls(
  config: Pick<Config, 'tls' | 'dataDir'>,
  names: readonly string[],
  now: Date = new Date(),
): Promise<TlsMaterial | null> {
  const { tls } = config;
  if (tls.mode === 'off') return null;
  if (tls.mode === 'auto') {
    const made = await ensureCertificates({
      dir: path.join(config.dataDir, 'tls'),
      names,
      now,
      permitted: tls.caPermitted,
    });
    return {
      mode: 'auto',
      key: made.key,
      cert: made.cert,
      // After a CA renewal: the new and the previous CA, so a terminal trusts the server across the switch.
      caCert: made.trust,
      caCertPath: made.trustPath,
      fingerprint: sha256Fingerprint(made.caCert),
      hsts: false,
      notAfter: made.notAfter,
    };
  }
  const certFile = tls.certFile as string;
  const keyFile = tls.keyFile as string;
  const cert = await readPem(certFile, 'BEACON_TLS_CERT');
  const key = await readPem(keyFile, 'BEACON_TLS_KEY');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsSetupError('tls_cert_invalid', `BEACON_TLS_CERT ${certFile} is not a PEM certificate`, { cause: err });
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsSetupError(
      'tls_cert_invalid',
      `BEACON_TLS_KEY ${keyFile} is not a PEM private key (or is encrypted)`,
      {
        cause: err,
      },
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsSetupError(
      'tls_key_mismatch',
      `BEACON_TLS_KEY ${keyFile} does not belong to BEACON_TLS_CERT ${certFile}`,
    );
  }
  const notAfter = new Date(x509.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new TlsSetupError('tls_cert_expired', `BEACON_TLS_CERT ${certFile} expired on ${notAfter.toISOString()}`);
  }
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < 30) logger.warn({ certFile, notAfter, daysLeft }, 'the configured TLS certificate expires soon');
  return {
    mode: 'files',
    key,
    cert,
    caCert: null,
    caCertPath: null,
    fingerprint: sha256Fingerprint(cert),
    hsts: true,
    notAfter,
  };
}

async function readPem(file: string, variable: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new TlsSetupError('tls_file_unreadable', `${variable} ${file} cannot be read (${reason})`, { cause: err });
  }
}
