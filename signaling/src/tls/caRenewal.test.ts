import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, createServer } from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates, issuedBy } from './CertificateAuthority.ts';
import { opensslSubject, renewCa } from './caRenewal.ts';
import { forgetPreviousCa, pemCertificates, readTrust } from './caTrust.ts';
import { issueMediaNodeCertificate, signalingClientTls } from './mediaNodeCertificates.ts';
import { ensureMqttCertificate } from './mqttCertificate.ts';

const run = promisify(execFile);
let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'beacon-ca-renewal-'));
  dir = path.join(root, 'tls');
  await ensureCertificates({ dir, names: ['beacon.lan', '127.0.0.1'], permitted: ['10.20.0.0/16'] });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** OpenSSL's verdict on a server certificate against a CA file (chain, purpose, name constraints). */
async function verifies(caFile: string, certPath: string): Promise<boolean> {
  return run('openssl', ['verify', '-CAfile', caFile, '-purpose', 'sslserver', certPath]).then(
    () => true,
    () => false,
  );
}

const constraints = async (file: string) =>
  (await run('openssl', ['x509', '-in', file, '-noout', '-ext', 'nameConstraints'])).stdout;

/** A TLS handshake to a server presenting `cert`, by a client trusting `ca`: true when it completes. */
async function handshake(cert: { cert: string; key: string }, ca: string): Promise<boolean> {
  const server = createServer(cert, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise<boolean>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca,
        checkServerIdentity: () => undefined,
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  } finally {
    server.close();
  }
}

describe('renewal of Beacon’s CA', () => {
  it('makes a new CA with the same subject and name constraints, and a bundle that trusts leaves of both', async () => {
    const caFile = path.join(dir, 'ca.crt');
    const oldCa = await readFile(caFile, 'utf8');
    const oldConstraints = await constraints(caFile);
    expect(oldConstraints).toContain('DNS:beacon.lan');
    const oldLeaf = await issueMediaNodeCertificate({
      dir,
      nodeId: 'county-1',
      names: ['10.20.0.5'],
      outDir: path.join(root, 'old'),
    });

    const renewed = await renewCa({ dir });
    const newCa = await readFile(caFile, 'utf8');
    expect(new X509Certificate(newCa).subject).toBe(new X509Certificate(oldCa).subject);
    expect(new X509Certificate(newCa).fingerprint256).not.toBe(new X509Certificate(oldCa).fingerprint256);
    expect(await constraints(caFile)).toBe(oldConstraints);
    expect(renewed.current.notAfter.getTime() - Date.now()).toBeGreaterThan(3649 * 86_400_000);
    // The previous key is kept for a rollback, readable only by Beacon.
    expect((await stat(path.join(dir, 'ca-previous.key'))).mode & 0o077).toBe(0);

    // From now on the new CA issues; the node gets the bundle as its ca.crt.
    const newLeaf = await issueMediaNodeCertificate({
      dir,
      nodeId: 'county-2',
      names: ['10.20.0.6'],
      outDir: path.join(root, 'new'),
    });
    const newLeafPem = await readFile(newLeaf.certPath, 'utf8');
    expect(issuedBy(newLeafPem, newCa)).toBe(true);
    expect(issuedBy(newLeafPem, oldCa)).toBe(false);
    expect(pemCertificates(await readFile(newLeaf.caPath, 'utf8'))).toHaveLength(2);

    const bundle = renewed.bundlePath;
    expect(await verifies(bundle, oldLeaf.certPath)).toBe(true);
    expect(await verifies(bundle, newLeaf.certPath)).toBe(true);
    // The old CA alone does not know the new leaf: the bundle is what bridges the overlap.
    await writeFile(path.join(root, 'old-ca.crt'), oldCa);
    expect(await verifies(path.join(root, 'old-ca.crt'), newLeaf.certPath)).toBe(false);
    // The new CA still may not certify names outside its constraints.
    await expect(
      issueMediaNodeCertificate({ dir, nodeId: 'rogue', names: ['192.0.2.9'], outDir: path.join(root, 'rogue') }),
    ).rejects.toMatchObject({ code: 'tls_names_outside_ca' });

    // A real TLS client trusting the bundle accepts servers with either leaf.
    const pair = async (issued: { certPath: string; keyPath: string }) => ({
      cert: await readFile(issued.certPath, 'utf8'),
      key: await readFile(issued.keyPath, 'utf8'),
    });
    const trust = await readFile(bundle, 'utf8');
    expect(await handshake(await pair(oldLeaf), trust)).toBe(true);
    expect(await handshake(await pair(newLeaf), trust)).toBe(true);
    expect(await handshake(await pair(newLeaf), oldCa)).toBe(false);
  });

  it('serves the bundle where ca.crt was, keeps certificates of the previous CA until due, then issues from the new one', async () => {
    const before = await ensureCertificates({ dir, names: ['beacon.lan', '127.0.0.1'] });
    const client = await signalingClientTls({ dir });
    const mqtt = await ensureMqttCertificate({ dir, names: ['beacon.lan', '127.0.0.1'] });
    await renewCa({ dir });

    const after = await ensureCertificates({ dir, names: ['beacon.lan', '127.0.0.1'] });
    expect(after.action).toBe('reused');
    expect(after.cert).toBe(before.cert);
    expect(pemCertificates(after.trust)).toHaveLength(2);
    expect(after.trustPath).toBe(path.join(dir, 'ca-bundle.crt'));
    // signaling's client certificate and the broker's are kept too, and checked against the bundle.
    const clientAfter = await signalingClientTls({ dir });
    expect(clientAfter.cert).toBe(client.cert);
    expect(pemCertificates(clientAfter.ca)).toHaveLength(2);
    const mqttAfter = await ensureMqttCertificate({ dir, names: ['beacon.lan', '127.0.0.1'] });
    expect(mqttAfter.issued).toBe(false);
    expect(mqttAfter.caPath).toBe(path.join(dir, 'ca-bundle.crt'));
    expect(mqtt.issued).toBe(true);

    // Due for renewal: the server certificate comes from the new CA.
    const due = await ensureCertificates({
      dir,
      names: ['beacon.lan', '127.0.0.1'],
      now: new Date(Date.now() + 380 * 86_400_000),
    });
    expect(due.action).toBe('issued');
    expect(issuedBy(due.cert, due.caCert)).toBe(true);
    expect(issuedBy(due.cert, before.caCert)).toBe(false);

    // The overlap ended: the new CA alone is trusted.
    await forgetPreviousCa(dir);
    expect(pemCertificates(await readTrust(dir))).toEqual([`${due.caCert.trim()}\n`]);
  });

  it('renews a CA made before name constraints existed with the names of its server certificate', async () => {
    const legacy = path.join(root, 'legacy');
    await mkdir(legacy, { recursive: true });
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(legacy, 'ca.key'),
      '-out',
      path.join(legacy, 'ca.crt'),
      '-days',
      '30',
      '-subj',
      '/O=Beacon/CN=Beacon CA 0ld',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
    ]);
    await ensureCertificates({ dir: legacy, names: ['old.beacon.lan', '10.9.0.1'] });
    const renewed = await renewCa({ dir: legacy });
    expect(renewed.subject).toBe('O=Beacon\nCN=Beacon CA 0ld');
    const text = await constraints(path.join(legacy, 'ca.crt'));
    expect(text).toContain('DNS:old.beacon.lan');
    expect(text).toContain('IP:10.9.0.1/255.255.255.255');
  });

  it('refuses without a CA, and writes a subject openssl reads back unchanged', async () => {
    await expect(renewCa({ dir: path.join(root, 'none') })).rejects.toMatchObject({ code: 'tls_no_ca' });
    expect(opensslSubject('O=Beacon\nCN=Beacon CA a/b')).toBe('/O=Beacon/CN=Beacon CA a\\/b');
  });
});
