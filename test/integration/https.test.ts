/**
 * HTTPS by default (browsers open a camera only on a secure origin), on a
 * real Beacon node with BEACON_TLS=auto:
 * Beacon's own CA and certificate, TLS 1.2+ only, the plain-HTTP port's
 * redirect, CA download and help page, socket.io over TLS, the loopback
 * port for local services, reuse across restarts, and an admin's
 * certificate (files mode) with HSTS.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCertificates } from '../../signaling/src/tls/CertificateAuthority.ts';
import { makeDataDir, startTestNode, type TestNode } from './helpers.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(
  url: string,
  opts: { ca?: string; method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: opts.method ?? 'GET',
        ...(url.startsWith('https:') ? { ca: opts.ca, agent: false } : {}),
        headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function tlsVersionAccepted(port: number, ca: string, maxVersion: 'TLSv1.1' | 'TLSv1.2'): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca,
      servername: 'localhost',
      minVersion: 'TLSv1',
      maxVersion,
    });
    socket.once('secureConnect', () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.once('error', (err) => resolve(`refused: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  });
}

describe('HTTPS with Beacon’s own CA (BEACON_TLS=auto)', () => {
  const nodes: TestNode[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('serves the console and API over TLS 1.2+ only, with a certificate for this machine', async () => {
    const running = await startTestNode({ env: { BEACON_TLS: 'auto', BEACON_HTTP_PORT: '0', BEACON_HOST: '0.0.0.0' } });
    nodes.push(running);
    const { node } = running;
    expect(node.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = node.tls?.caCert as string;
    expect(ca).toContain('BEGIN CERTIFICATE');

    const health = await get(`${node.url}/healthz`, { ca });
    expect(health.status).toBe(200);
    // HSTS only with an admin's certificate: pinning terminals to a CA they may not have yet would lock them out.
    expect(health.headers['strict-transport-security']).toBeUndefined();
    await expect(get(`${node.url}/healthz`)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });

    expect(await tlsVersionAccepted(node.port, ca, 'TLSv1.2')).toMatch(/^TLSv1\.[23]$/);
    expect(await tlsVersionAccepted(node.port, ca, 'TLSv1.1')).toMatch(/^refused/);

    // The certificate names this machine as terminals reach it.
    const cert = new X509Certificate(node.tls?.cert as string);
    for (const name of node.addresses.consoleAddresses.filter((a) => !a.includes(':'))) {
      expect(cert.subjectAltName).toContain(`IP Address:${name}`);
    }
    expect(cert.subjectAltName).toContain('DNS:localhost');

    // socket.io over TLS: a logged-in client connects.
    const login = await get(`${node.url}/api/v1/auth/login`, {
      ca,
      method: 'POST',
      body: JSON.stringify({ username: 'chair', password: 'beacon2026' }),
    });
    expect(login.status).toBe(200);
    const token = (JSON.parse(login.body) as { token: string }).token;
    for (const [base, options] of [
      [node.url, { ca }],
      // The loopback port for this machine's own services (the SIP gateway) speaks plain HTTP.
      [node.internalUrl, {}],
    ] as const) {
      const socket = io(base, {
        transports: ['websocket'],
        auth: { token },
        reconnection: false,
        forceNew: true,
        ...options,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      socket.close();
    }
    expect(node.internalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('plain HTTP redirects, and serves the CA and the certificate help page (Chinese first)', async () => {
    const { node } = nodes[0] as TestNode;
    const plain = `http://127.0.0.1:${node.httpPort}`;
    const redirect = await get(`${plain}/api/v1/rooms?x=1`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://127.0.0.1:${node.port}/api/v1/rooms?x=1`);
    // A forged Host header cannot smuggle a path or markup into the redirect.
    const forged = await get(`${plain}/x`, { headers: { host: 'evil.example/phish' } });
    expect(forged.headers.location).toBe(`https://localhost:${node.port}/x`);
    const caFile = await get(`${plain}/beacon-ca.crt`);
    expect(caFile.status).toBe(200);
    expect(caFile.headers['content-type']).toContain('application/x-x509-ca-cert');
    expect(caFile.body).toBe(node.tls?.caCert);
    expect(caFile.body).toBe(await readFile(path.join(path.dirname(node.tls?.caCertPath as string), 'ca.crt'), 'utf8'));

    const help = await get(`${plain}/`);
    expect(help.status).toBe(200);
    expect(help.body.indexOf('安装根证书')).toBeGreaterThan(-1);
    expect(help.body.indexOf('安装根证书')).toBeLessThan(help.body.indexOf('install the root certificate'));
    // The probe that sends a trusting terminal on to HTTPS is a script file (the CSP allows no inline script).
    expect(help.body).toContain('<script src="/cert-probe.js"></script>');
    expect((await get(`${plain}/cert-probe.js`)).body).toContain('/healthz');
    expect(help.body).toContain(node.tls?.fingerprint);
    expect(help.body).toContain(`https://127.0.0.1:${node.port}`);
    // The console links to the same page over HTTPS.
    expect((await get(`${node.url}/cert-help`, { ca: node.tls?.caCert as string })).body).toContain('beacon-ca.crt');
  });

  it('reuses its CA and certificate after a restart on the same data dir', async () => {
    const dataDir = await makeDataDir();
    const env = { BEACON_TLS: 'auto', BEACON_HTTP_PORT: 'off' };
    const first = await startTestNode({ dataDir, env });
    const firstCert = first.node.tls?.cert;
    expect(first.node.httpPort).toBeNull();
    await first.stop({ keepData: true });
    const second = await startTestNode({ dataDir, env });
    nodes.push(second);
    expect(second.node.tls?.cert).toBe(firstCert);
  });
});

describe('HTTPS with an admin’s certificate (BEACON_TLS=files)', () => {
  let running: TestNode | undefined;
  afterAll(async () => {
    await running?.stop();
  });

  it('uses the files, sends HSTS, and redirects every plain-HTTP request', async () => {
    const dir = await makeDataDir();
    const issued = await ensureCertificates({
      dir: path.join(dir, 'government-ca'),
      names: ['localhost', '127.0.0.1'],
    });
    running = await startTestNode({
      dataDir: dir,
      env: {
        BEACON_TLS: 'files',
        BEACON_TLS_CERT: issued.certPath,
        BEACON_TLS_KEY: issued.keyPath,
        BEACON_HTTP_PORT: '0',
      },
    });
    const { node } = running;
    const res = await get(`${node.url}/healthz`, { ca: issued.caCert });
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    const plain = `http://127.0.0.1:${node.httpPort}`;
    for (const pathName of ['/', '/beacon-ca.crt', '/cert-help']) {
      const redirect = await get(`${plain}${pathName}`);
      expect(redirect.status).toBe(301);
      expect(redirect.headers.location).toBe(`https://127.0.0.1:${node.port}${pathName}`);
    }
    // Not Beacon's CA: nothing to download.
    expect((await get(`${node.url}/beacon-ca.crt`, { ca: issued.caCert })).status).toBe(404);
  });

  it('refuses to start with a key that does not belong to the certificate', async () => {
    const dir = await makeDataDir();
    const a = await ensureCertificates({ dir: path.join(dir, 'a'), names: ['localhost'] });
    const b = await ensureCertificates({ dir: path.join(dir, 'b'), names: ['localhost'] });
    await expect(
      startTestNode({
        dataDir: dir,
        env: { BEACON_TLS: 'files', BEACON_TLS_CERT: a.certPath, BEACON_TLS_KEY: b.keyPath },
      }),
    ).rejects.toMatchObject({ code: 'tls_key_mismatch' });
  });
});
