import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { certificateNodeId, certificateUris, SIGNALING_CLIENT_URI } from '@beacon/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates } from './CertificateAuthority.ts';
import {
  issueMediaNodeCertificate,
  renewalDue,
  renewMediaNodeCertificate,
  signalingClientTls,
} from './mediaNodeCertificates.ts';

const run = promisify(execFile);
let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'beacon-node-certs-'));
  dir = path.join(root, 'tls');
  // Beacon's CA as a signaling machine makes it: constrained to its names, plus the media nodes' network.
  await ensureCertificates({ dir, names: ['localhost', '127.0.0.1'], permitted: ['10.20.0.0/16'] });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** OpenSSL's verdict on a certificate for one role (sslserver / sslclient), as a TLS peer would check it. */
async function verifyAs(purpose: 'sslserver' | 'sslclient', certPath: string): Promise<boolean> {
  const ca = path.join(dir, 'ca.crt');
  return run('openssl', ['verify', '-CAfile', ca, '-purpose', purpose, certPath]).then(
    () => true,
    () => false,
  );
}

describe('media node certificates', () => {
  it('issues a node a server certificate naming its address and id, usable as a server only', async () => {
    const outDir = path.join(root, 'county-1');
    const issued = await issueMediaNodeCertificate({ dir, nodeId: 'county-1', names: ['10.20.0.5'], outDir });
    const cert = new X509Certificate(await readFile(issued.certPath, 'utf8'));
    expect(cert.subjectAltName).toContain('IP Address:10.20.0.5');
    expect(certificateNodeId(cert.subjectAltName)).toBe('county-1');
    expect(await readFile(issued.caPath, 'utf8')).toBe(await readFile(path.join(dir, 'ca.crt'), 'utf8'));
    expect(await verifyAs('sslserver', issued.certPath)).toBe(true);
    // A node's certificate cannot pose as signaling to another node.
    expect(await verifyAs('sslclient', issued.certPath)).toBe(false);
  });

  it("refuses a node name outside the CA's constraints, and a node id that is not a name", async () => {
    const outDir = path.join(root, 'far');
    await expect(issueMediaNodeCertificate({ dir, nodeId: 'far', names: ['192.0.2.9'], outDir })).rejects.toMatchObject(
      { code: 'tls_names_outside_ca' },
    );
    await expect(issueMediaNodeCertificate({ dir, nodeId: 'a/b', names: ['10.20.0.5'], outDir })).rejects.toMatchObject(
      { code: 'tls_bad_name' },
    );
    await expect(
      issueMediaNodeCertificate({ dir: path.join(root, 'nowhere'), nodeId: 'x', names: ['10.20.0.5'], outDir }),
    ).rejects.toMatchObject({ code: 'tls_no_ca' });
  });

  it('gives signaling a client-only certificate, reused until near expiry', async () => {
    const first = await signalingClientTls({ dir });
    const cert = new X509Certificate(first.cert);
    expect(certificateUris(cert.subjectAltName)).toEqual([SIGNALING_CLIENT_URI]);
    const certPath = path.join(dir, 'media-client.crt');
    expect(await verifyAs('sslclient', certPath)).toBe(true);
    expect(await verifyAs('sslserver', certPath)).toBe(false);
    expect((await signalingClientTls({ dir })).cert).toBe(first.cert);
    const later = new Date(Date.parse(cert.validTo) - 10 * 86_400_000);
    expect((await signalingClientTls({ dir, now: later })).cert).not.toBe(first.cert);
  });

  it('renews a node certificate for the same id and names (a new key and serial), refusing a wrong id', async () => {
    const outDir = path.join(root, 'county-1');
    const issued = await issueMediaNodeCertificate({
      dir,
      nodeId: 'county-1',
      names: ['10.20.0.5', 'localhost'],
      outDir,
      validityDays: 1,
    });
    const before = { cert: await readFile(issued.certPath, 'utf8'), key: await readFile(issued.keyPath, 'utf8') };
    await expect(renewMediaNodeCertificate({ dir, outDir, nodeId: 'county-2' })).rejects.toMatchObject({
      code: 'tls_bad_name',
    });
    await expect(renewMediaNodeCertificate({ dir, outDir: path.join(root, 'none') })).rejects.toMatchObject({
      code: 'tls_no_certificate',
    });
    const renewed = await renewMediaNodeCertificate({ dir, outDir, nodeId: 'county-1' });
    expect(renewed.nodeId).toBe('county-1');
    expect([...renewed.names].sort()).toEqual(['10.20.0.5', 'localhost']);
    const after = new X509Certificate(await readFile(renewed.certPath, 'utf8'));
    const old = new X509Certificate(before.cert);
    expect(after.serialNumber).not.toBe(old.serialNumber);
    expect(await readFile(renewed.keyPath, 'utf8')).not.toBe(before.key);
    expect(after.subjectAltName).toBe(old.subjectAltName);
    expect(certificateNodeId(after.subjectAltName)).toBe('county-1');
    // Its default life again (397 days), not the short one it replaced.
    expect(Date.parse(after.validTo) - Date.parse(old.validTo)).toBeGreaterThan(300 * 86_400_000);
    expect(await verifyAs('sslserver', renewed.certPath)).toBe(true);
  });

  it('says a certificate is due for renewal at two thirds of its life', async () => {
    const { cert } = await signalingClientTls({ dir, validityDays: 3 });
    const from = Date.parse(new X509Certificate(cert).validFrom);
    expect(renewalDue(cert, new Date(from + 47 * 3_600_000))).toBe(false);
    expect(renewalDue(cert, new Date(from + 49 * 3_600_000))).toBe(true);
  });
});
