/**
 * Renewal of Beacon's CA as an operator does it: a node with BEACON_TLS=auto,
 * `npm run ca-renew` (the real CLI) on its data directory, the node started
 * again. Terminals that trust only the previous CA still reach it (its server
 * certificate is kept until due), the CA download is now the trust bundle of
 * both CAs, and the renewal is in the audit log.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../src/beaconProcess.ts';
import { makeDataDir, startTestNode } from './helpers.ts';

const TLS_ENV = { BEACON_TLS: 'auto', BEACON_HTTP_PORT: 'off' };

/** GET over HTTPS trusting `ca`: status and body, or the TLS error's message. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string } | string> {
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
}

/** `npm run ca-renew` as the package script runs it, on `dataDir`. */
function caRenew(dataDir: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const cli = ['--conditions=beacon-source', '--import', 'tsx', 'signaling/src/tls/caRenewCli.ts', ...args];
  const child = spawn(process.execPath, cli, {
    cwd: REPO_ROOT,
    env: { ...process.env, BEACON_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

it('keeps terminals that trust the previous CA working, serves both CAs and audits the renewal', async () => {
  const dataDir = await makeDataDir();
  const first = await startTestNode({ dataDir, env: TLS_ENV });
  const oldCa = first.node.tls?.caCert as string;
  const oldFingerprint = new X509Certificate(oldCa).fingerprint256;
  await first.stop({ keepData: true });

  const renewed = await caRenew(dataDir);
  expect(renewed, renewed.output).toMatchObject({ code: 0 });
  expect(renewed.output).toContain('trust bundle');

  const again = await startTestNode({ dataDir, env: TLS_ENV });
  try {
    // A terminal that installed only the previous CA: the server still answers it.
    const download = await httpsGet(`${again.node.url}/beacon-ca.crt`, oldCa);
    expect(download).toMatchObject({ status: 200 });
    const bundle = (download as { body: string }).body;
    const cas = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const newCa = await readFile(path.join(dataDir, 'tls', 'ca.crt'), 'utf8');
    expect(cas.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([
      new X509Certificate(newCa).fingerprint256,
      oldFingerprint,
    ]);
    // Each CA alone too (Windows and certutil import only a file's first certificate), named on the help page.
    const second = await httpsGet(`${again.node.url}/beacon-ca-2.crt`, oldCa);
    expect(new X509Certificate((second as { body: string }).body).fingerprint256).toBe(oldFingerprint);
    const help = await httpsGet(`${again.node.url}/cert-help`, oldCa);
    expect((help as { body: string }).body).toContain('beacon-ca-1.crt');
    expect(await httpsGet(`${again.node.url}/beacon-ca-3.crt`, oldCa)).toMatchObject({ status: 404 });
    // A terminal that installed the bundle: answered too.
    expect(await httpsGet(`${again.node.url}/readyz`, bundle)).toMatchObject({ status: 200 });
    const [row] = (await again.node.store.audit.list({ limit: 20 })).filter((r) => r.action === 'tls.ca_renewed');
    expect(row?.detail).toMatchObject({
      previousFingerprint: oldFingerprint,
      subject: new X509Certificate(oldCa).subject,
    });
  } finally {
    await again.stop({ keepData: true });
  }

  // The overlap ends: the download is the new CA alone, and that is audited too.
  expect(await caRenew(dataDir, '--finish')).toMatchObject({ code: 0 });
  const last = await startTestNode({ dataDir, env: TLS_ENV });
  try {
    expect(last.node.tls?.caCert).toBe(await readFile(path.join(dataDir, 'tls', 'ca.crt'), 'utf8'));
    const actions = (await last.node.store.audit.list({ limit: 20 })).map((r) => r.action);
    expect(actions).toContain('tls.ca_overlap_ended');
  } finally {
    await last.stop();
  }
});
