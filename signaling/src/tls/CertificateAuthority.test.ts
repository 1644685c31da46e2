import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertificateError, ensureCertificates, subjectAltNames } from './CertificateAuthority.ts';

let dir: string;
beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(tmpdir(), 'beacon-tls-')), 'tls');
});
afterEach(async () => {
  await rm(path.dirname(dir), { recursive: true, force: true });
});

const NAMES = ['beacon.cx.gov', 'localhost', '127.0.0.1', '10.20.0.5'];

/** One HTTPS request to a server using `certs`; resolves with the status or rejects with the TLS error. */
async function handshake(
  certs: { cert: string; key: string },
  ca: string | undefined,
  servername = 'localhost',
): Promise<number> {
  const server = createServer({ cert: certs.cert, key: certs.key, minVersion: 'TLSv1.2' }, (_req, res) =>
    res.end('ok'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, servername, path: '/', ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

describe('ensureCertificates', () => {
  it('creates a CA and a server certificate for the names, which a client trusting the CA accepts', async () => {
    const certs = await ensureCertificates({ dir, names: NAMES });
    expect(certs.action).toBe('created');
    const cert = new X509Certificate(certs.cert);
    const ca = new X509Certificate(certs.caCert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:beacon.cx.gov, DNS:localhost, IP Address:127.0.0.1, IP Address:10.20.0.5');
    expect(cert.checkHost('beacon.cx.gov')).toBe('beacon.cx.gov');
    expect(cert.checkIP('10.20.0.5')).toBe('10.20.0.5');
    // ≤ 398 days: what browsers accept for a server certificate.
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(398);
    // Private keys are for the server's eyes only.
    expect((await stat(certs.keyPath)).mode & 0o077).toBe(0);
    expect((await stat(path.join(dir, 'ca.key'))).mode & 0o077).toBe(0);

    expect(await handshake(certs, certs.caCert)).toBe(200);
    await expect(handshake(certs, undefined)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await expect(handshake(certs, certs.caCert, 'evil.example')).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('reuses everything on the next start', async () => {
    const first = await ensureCertificates({ dir, names: NAMES });
    const second = await ensureCertificates({ dir, names: [...NAMES].reverse() });
    expect(second.action).toBe('reused');
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
    expect(second.caCert).toBe(first.caCert);
  });

  it('issues a new server certificate (same CA) when the names change or expiry is near', async () => {
    // The network the server may move within is permitted when the CA is made (name constraints).
    const first = await ensureCertificates({ dir, names: NAMES, permitted: ['10.20.0.0/24'] });
    const moved = await ensureCertificates({ dir, names: [...NAMES, '10.20.0.6'] });
    expect(moved.action).toBe('issued');
    expect(moved.caCert).toBe(first.caCert);
    expect(new X509Certificate(moved.cert).checkIP('10.20.0.6')).toBe('10.20.0.6');
    expect(moved.key).not.toBe(first.key);

    const in380Days = new Date(Date.now() + 380 * 86_400_000);
    const renewed = await ensureCertificates({ dir, names: [...NAMES, '10.20.0.6'], now: in380Days });
    expect(renewed.action).toBe('issued');
    expect(new X509Certificate(renewed.cert).serialNumber).not.toBe(new X509Certificate(moved.cert).serialNumber);
    expect(renewed.caCert).toBe(first.caCert);
  });

  it('refuses names that are neither a host name nor an address, before touching anything', async () => {
    for (const bad of ['', 'has space', 'a\nsubjectAltName=DNS:evil', '-leading.dash', 'x'.repeat(300)]) {
      expect(() => subjectAltNames([bad])).toThrow(CertificateError);
    }
    expect(() => subjectAltNames([])).toThrow(/at least one/);
    await expect(ensureCertificates({ dir, names: ['bad name'] })).rejects.toMatchObject({ code: 'tls_bad_name' });
  });

  it('says which openssl step failed with a coded error', async () => {
    await expect(ensureCertificates({ dir, names: NAMES, openssl: '/nonexistent/openssl' })).rejects.toMatchObject({
      code: 'tls_openssl_failed',
    });
  });
});
