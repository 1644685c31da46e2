/**
 * The certificate of the MQTT broker's TLS listener (stations in the field reach mosquitto across networks),
 * under Beacon's own CA (<dataDir>/tls/ca.crt, CertificateAuthority.ts) — the CA terminals already trust, so
 * a station is given the same ca.crt the console offers for download.
 *
 * mqtt.crt/mqtt.key beside the CA, for the names the HTTPS certificate covers (stations reach the server by
 * the same names and addresses as terminals): issued when missing, near expiry (30 days), made by another
 * CA or for other names, else reused. Its own key, not the HTTPS one: mosquitto reads it from a file, and
 * BEACON_TLS=files (an admin's certificate) or off must not change what stations trust.
 */
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../logger.ts';
import { certifiable, ensureCertificates, expiresWithin, sameNames, subjectAltNames } from './CertificateAuthority.ts';
import { issuedByAny, trustPath } from './caTrust.ts';
import { CertificateError, issueLeafCertificate } from './leafCertificate.ts';

const logger = createLogger('mqttCertificate');

export interface MqttCertificateOptions {
  /** The CA's directory (<dataDir>/tls); the CA is created there when missing, as for BEACON_TLS=auto. */
  dir: string;
  /** DNS names and addresses stations connect to (the HTTPS certificate's names). */
  names: readonly string[];
  /** BEACON_TLS_CA_PERMIT: read only when a CA is created. */
  permitted?: readonly string[];
  /** Issue anew this many days before expiry (default 30). */
  renewBeforeDays?: number;
  /** Default 397, like the HTTPS certificate. */
  validityDays?: number;
  now?: Date;
  /** Default 'openssl'. */
  openssl?: string;
}

export interface MqttCertificate {
  caPath: string;
  certPath: string;
  keyPath: string;
  /** True when this call issued a new certificate (mosquitto must re-read it). */
  issued: boolean;
  notAfter: Date;
}

/** The broker's certificate, issued or reused (see the module comment). */
export async function ensureMqttCertificate(opts: MqttCertificateOptions): Promise<MqttCertificate> {
  const now = opts.now ?? new Date();
  const openssl = opts.openssl ?? 'openssl';
  // The same CA (and names) as BEACON_TLS=auto: with auto it is already there and only read.
  const ca = await ensureCertificates({ dir: opts.dir, names: opts.names, permitted: opts.permitted, now, openssl });
  const sans = await certifiable({ openssl }, ca.caCertPath, subjectAltNames(opts.names));
  const certPath = path.join(opts.dir, 'mqtt.crt');
  const keyPath = path.join(opts.dir, 'mqtt.key');
  const current = await readFile(certPath, 'utf8').catch(() => null);
  const key = await readFile(keyPath, 'utf8').catch(() => null);
  const stale =
    !current ||
    !key ||
    expiresWithin(current, now, opts.renewBeforeDays ?? 30) ||
    !issuedByAny(current, ca.trust) ||
    !sameNames(current, sans);
  if (stale) {
    await issueLeafCertificate({
      openssl,
      caKey: path.join(opts.dir, 'ca.key'),
      caCert: ca.caCertPath,
      keyPath,
      certPath,
      commonName: (sans[0] as string).replace(/^(DNS|IP):/, ''),
      subjectAltNames: sans,
      extendedKeyUsage: 'serverAuth',
      validityDays: opts.validityDays ?? 397,
    });
  }
  const notAfter = new Date(new X509Certificate(await readFile(certPath, 'utf8')).validTo);
  if (stale) logger.info({ names: sans, notAfter }, 'MQTT broker certificate issued');
  // The broker checks stations' client certificates against the trust bundle (either CA during a renewal).
  return { caPath: ca.trustPath, certPath, keyPath, issued: stale, notAfter };
}

/** What a station's client certificate names: `URI:urn:beacon:station:<id>`. */
export const STATION_URI_PREFIX = 'urn:beacon:station:';
const STATION_ID = /^[A-Za-z0-9_-]{1,40}$/;

export interface StationCertificateOptions {
  /** The CA's directory (<dataDir>/tls). */
  dir: string;
  stationId: string;
  /** Where station.crt, station.key and ca.crt are written (created, mode 0700). */
  outDir: string;
  /** Default 397. */
  validityDays?: number;
  openssl?: string;
}

/**
 * A station's client certificate (clientAuth only), for a broker with BEACON_MQTT_CLIENT_CERT=on: proof that
 * the device was set up by the bureau, on top of its password — not instead of it, so a lost device is shut out
 * by giving its station a new token (mosquitto here keeps no revocation list).
 */
export async function issueStationCertificate(
  opts: StationCertificateOptions,
): Promise<{ certPath: string; keyPath: string; caPath: string }> {
  if (!STATION_ID.test(opts.stationId)) {
    throw new CertificateError('tls_bad_name', `not a station id: ${JSON.stringify(opts.stationId)}`);
  }
  const caPath = path.join(opts.dir, 'ca.crt');
  await readFile(caPath, 'utf8').catch((err: unknown) => {
    throw new CertificateError('tls_no_ca', `no Beacon CA in ${opts.dir} (start signaling once to create it)`, {
      cause: err,
    });
  });
  await mkdir(opts.outDir, { recursive: true, mode: 0o700 });
  const out = {
    certPath: path.join(opts.outDir, 'station.crt'),
    keyPath: path.join(opts.outDir, 'station.key'),
    caPath: path.join(opts.outDir, 'ca.crt'),
  };
  await issueLeafCertificate({
    openssl: opts.openssl ?? 'openssl',
    caKey: path.join(opts.dir, 'ca.key'),
    caCert: caPath,
    keyPath: out.keyPath,
    certPath: out.certPath,
    // Spaces: OpenSSL never reads this CN as a DNS name to hold against the CA's name constraints.
    commonName: `Beacon station ${opts.stationId}`,
    subjectAltNames: [`URI:${STATION_URI_PREFIX}${opts.stationId}`],
    extendedKeyUsage: 'clientAuth',
    validityDays: opts.validityDays ?? 397,
  });
  await copyFile(await trustPath(opts.dir), out.caPath);
  return out;
}
