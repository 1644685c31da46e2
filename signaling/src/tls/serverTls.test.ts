import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates } from './CertificateAuthority.ts';
import { CertificateRenewal } from './CertificateRenewal.ts';
import { prepareTls, sha256Fingerprint, type TlsSetupError } from './serverTls.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'beacon-servertls-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NAMES = ['beacon.cx.gov', '127.0.0.1'];
const filesConfig = (certFile: string, keyFile: string) => ({
  dataDir: dir,
  tls: { mode: 'files' as const, certFile, keyFile, extraNames: [], caPermitted: [] },
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as TlsSetupError).code;
  }
  return 'resolved';
}

describe('prepareTls', () => {
  it('off → null; auto → Beacon CA, reused on the next start, no HSTS', async () => {
    expect(
      await prepareTls(
        { dataDir: dir, tls: { mode: 'off', certFile: null, keyFile: null, extraNames: [], caPermitted: [] } },
        NAMES,
      ),
    ).toBeNull();
    const auto = {
      dataDir: dir,
      tls: { mode: 'auto' as const, certFile: null, keyFile: null, extraNames: [], caPermitted: [] },
    };
    const first = await prepareTls(auto, NAMES);
    const second = await prepareTls(auto, NAMES);
    expect(first?.hsts).toBe(false);
    expect(first?.caCert).toContain('BEGIN CERTIFICATE');
    expect(second?.cert).toBe(first?.cert);
    // The fingerprint printed at start and on the help page is the one openssl prints for the CA file.
    const openssl = execFileSync(
      'openssl',
      ['x509', '-noout', '-fingerprint', '-sha256', '-in', first?.caCertPath as string],
      {
        encoding: 'utf8',
      },
    );
    expect(openssl.trim().split('=')[1]).toBe(first?.fingerprint);
  });

  it('files: a matching pair is used with HSTS; wrong, unreadable, broken or expired files are refused with a code', async () => {
    const a = await ensureCertificates({ dir: path.join(dir, 'a'), names: NAMES });
    const b = await ensureCertificates({ dir: path.join(dir, 'b'), names: NAMES });
    const good = await prepareTls(filesConfig(a.certPath, a.keyPath), NAMES);
    expect(good).toMatchObject({ mode: 'files', hsts: true, caCert: null, fingerprint: sha256Fingerprint(a.cert) });

    expect(await codeOf(prepareTls(filesConfig(a.certPath, b.keyPath), NAMES))).toBe('tls_key_mismatch');
    expect(await codeOf(prepareTls(filesConfig(path.join(dir, 'missing.crt'), a.keyPath), NAMES))).toBe(
      'tls_file_unreadable',
    );
    const garbage = path.join(dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate');
    expect(await codeOf(prepareTls(filesConfig(garbage, a.keyPath), NAMES))).toBe('tls_cert_invalid');
    expect(await codeOf(prepareTls(filesConfig(a.certPath, garbage), NAMES))).toBe('tls_cert_invalid');
    // 400 days on, the 397-day certificate has expired.
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(await codeOf(prepareTls(filesConfig(a.certPath, a.keyPath), NAMES, later))).toBe('tls_cert_expired');
  });
});

describe('CertificateRenewal', () => {
  it('installs a new certificate when the current one nears expiry, and nothing otherwise', async () => {
    const config = {
      dataDir: dir,
      tls: { mode: 'auto' as const, certFile: null, keyFile: null, extraNames: [], caPermitted: [] },
    };
    const start = await prepareTls(config, NAMES);
    const installed: string[] = [];
    const renewal = new CertificateRenewal({
      config,
      names: NAMES,
      current: start?.cert as string,
      onRenewed: (material) => installed.push(material.cert),
    });
    try {
      expect(await renewal.check()).toBe(false);
      // 380 days on, the 397-day certificate is within 30 days of expiry.
      expect(await renewal.check(new Date(Date.now() + 380 * 86_400_000))).toBe(true);
      expect(installed).toHaveLength(1);
      expect(installed[0]).not.toBe(start?.cert);
    } finally {
      renewal.stop();
    }
  });
});
