import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { certificateNodeId, certificateUris, SIGNALING_CLIENT_URI } from '@beacon/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates } from './CertificateAuthority.ts';
import { issueMediaNodeCertificate, signalingClientTls } from './mediaNodeCertificates.ts';

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
});
