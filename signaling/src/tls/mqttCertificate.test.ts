import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates } from './CertificateAuthority.ts';
import { ensureMqttCertificate, issueStationCertificate } from './mqttCertificate.ts';

const run = promisify(execFile);
let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'beacon-mqtt-cert-'));
  dir = path.join(root, 'tls');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** OpenSSL's verdict on a certificate for one role, as a TLS peer would check it. */
const verifyAs = (purpose: 'sslserver' | 'sslclient', certPath: string) =>
  run('openssl', ['verify', '-CAfile', path.join(dir, 'ca.crt'), '-purpose', purpose, certPath]).then(
    () => true,
    () => false,
  );

describe('the MQTT broker’s certificate', () => {
  it('is issued by the CA the HTTPS certificate has, for the same names, as a server certificate only', async () => {
    const names = ['localhost', '127.0.0.1', '10.20.0.5'];
    const https = await ensureCertificates({ dir, names });
    const mqtt = await ensureMqttCertificate({ dir, names });
    expect(mqtt.issued).toBe(true);
    expect(mqtt.caPath).toBe(https.caCertPath);
    const cert = new X509Certificate(await readFile(mqtt.certPath, 'utf8'));
    expect(cert.subjectAltName).toContain('IP Address:10.20.0.5');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(await readFile(mqtt.keyPath, 'utf8')).not.toBe(https.key);
    expect(await verifyAs('sslserver', mqtt.certPath)).toBe(true);
    expect(await verifyAs('sslclient', mqtt.certPath)).toBe(false);
  });

  it('creates the CA when none exists (BEACON_TLS=off), reuses the certificate, and issues anew when due', async () => {
    const names = ['localhost', '127.0.0.1'];
    // The CA is made here, allowed to certify cx.gov too.
    const first = await ensureMqttCertificate({ dir, names, permitted: ['cx.gov'] });
    const pem = await readFile(first.certPath, 'utf8');
    expect((await ensureMqttCertificate({ dir, names })).issued).toBe(false);
    expect(await readFile(first.certPath, 'utf8')).toBe(pem);
    // Another name (a new address): a new certificate covering it.
    const moved = await ensureMqttCertificate({ dir, names: [...names, 'mqtt.cx.gov'] });
    expect(moved.issued).toBe(true);
    expect(new X509Certificate(await readFile(moved.certPath, 'utf8')).subjectAltName).toContain('DNS:mqtt.cx.gov');
    // Within 30 days of expiry (397-day certificates, 380 days on): a new one.
    const later = await ensureMqttCertificate({
      dir,
      names: [...names, 'mqtt.cx.gov'],
      now: new Date(Date.now() + 380 * 86_400_000),
    });
    expect(later.issued).toBe(true);
  });

  it('leaves a name out that the CA may not certify, and refuses when none is left', async () => {
    await ensureCertificates({ dir, names: ['localhost', '127.0.0.1'] });
    const mqtt = await ensureMqttCertificate({ dir, names: ['localhost', '127.0.0.1', '192.0.2.9'] });
    expect(new X509Certificate(await readFile(mqtt.certPath, 'utf8')).subjectAltName).not.toContain('192.0.2.9');
    await expect(ensureMqttCertificate({ dir, names: ['192.0.2.9'] })).rejects.toMatchObject({
      code: 'tls_names_outside_ca',
    });
  });
});

describe('a station’s client certificate', () => {
  it('names the station and serves as a client only', async () => {
    await ensureCertificates({ dir, names: ['localhost'] });
    const issued = await issueStationCertificate({ dir, stationId: 'RG-001', outDir: path.join(root, 'RG-001') });
    const cert = new X509Certificate(await readFile(issued.certPath, 'utf8'));
    expect(cert.subjectAltName).toBe('URI:urn:beacon:station:RG-001');
    expect(await readFile(issued.caPath, 'utf8')).toBe(await readFile(path.join(dir, 'ca.crt'), 'utf8'));
    expect(await verifyAs('sslclient', issued.certPath)).toBe(true);
    expect(await verifyAs('sslserver', issued.certPath)).toBe(false);
  });

  it('refuses an id that is not a station id, and a directory without a CA', async () => {
    await expect(
      issueStationCertificate({ dir, stationId: 'a b', outDir: path.join(root, 'x') }),
    ).rejects.toMatchObject({ code: 'tls_bad_name' });
    await expect(
      issueStationCertificate({ dir, stationId: 'RG-001', outDir: path.join(root, 'x') }),
    ).rejects.toMatchObject({ code: 'tls_no_ca' });
  });
});
