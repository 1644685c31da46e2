import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TlsFileReload, type TlsMaterial } from './tlsFileReload.ts';

const run = promisify(execFile);

/** A short-lived (1 day) self-signed certificate and its key, as PEM. */
async function shortLived(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

/** The serial number of the certificate the server presents to a new handshake. */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

const serialOf = (pem: string) => new X509Certificate(pem).serialNumber;

describe('TlsFileReload (a server reloading renewed certificate files)', () => {
  let dir: string;
  let server: Server;
  let reload: TlsFileReload | undefined;
  let files: { certFile: string; keyFile: string; caFile: string };
  let first: { cert: string; key: string };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'beacon-tls-reload-'));
    first = await shortLived(dir, 'first');
    files = {
      certFile: path.join(dir, 'node.crt'),
      keyFile: path.join(dir, 'node.key'),
      caFile: path.join(dir, 'ca.crt'),
    };
    await writeFile(files.certFile, first.cert);
    await writeFile(files.keyFile, first.key);
    await writeFile(files.caFile, first.cert);
    server = createServer({ cert: first.cert, key: first.key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    reload?.stop();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const start = (signal: NodeJS.Signals | null = null) => {
    const applied: TlsMaterial[] = [];
    reload = new TlsFileReload(
      {
        files,
        apply: (material) => {
          server.setSecureContext(material);
          applied.push(material);
        },
        watchIntervalMs: 100,
        signal,
      },
      { ...first, ca: first.cert },
    );
    return applied;
  };
  const port = () => (server.address() as AddressInfo).port;

  it('serves renewed files to new handshakes once they change on disk', async () => {
    const applied = start();
    expect(await servedSerial(port())).toBe(serialOf(first.cert));
    const second = await shortLived(dir, 'second');
    await writeFile(files.keyFile, second.key);
    await writeFile(files.certFile, second.cert);
    await expect.poll(() => servedSerial(port()), { timeout: 10_000 }).toBe(serialOf(second.cert));
    expect(applied.at(-1)?.cert).toBe(second.cert);
  });

  it('keeps the current certificate when the key does not match, and takes the pair once it does', async () => {
    start();
    const second = await shortLived(dir, 'second');
    // Half replaced: the new certificate with the old key.
    expect(await reload?.reload('test')).toBe(false);
    await writeFile(files.certFile, second.cert);
    expect(await reload?.reload('test')).toBe(false);
    expect(await servedSerial(port())).toBe(serialOf(first.cert));
    await writeFile(files.keyFile, second.key);
    expect(await reload?.reload('test')).toBe(true);
    expect(await servedSerial(port())).toBe(serialOf(second.cert));
    // Unchanged files: nothing to do.
    expect(await reload?.reload('test')).toBe(false);
  });

  it('reloads on its signal (SIGHUP for the node)', async () => {
    const applied = start('SIGUSR2');
    const second = await shortLived(dir, 'second');
    reload?.stop();
    // Watching stopped: only the signal can load the files now.
    reload = new TlsFileReload(
      {
        files,
        apply: (material) => {
          server.setSecureContext(material);
          applied.push(material);
        },
        watchIntervalMs: 3_600_000,
        signal: 'SIGUSR2',
      },
      { ...first, ca: first.cert },
    );
    await writeFile(files.keyFile, second.key);
    await writeFile(files.certFile, second.cert);
    process.kill(process.pid, 'SIGUSR2');
    await expect.poll(() => servedSerial(port()), { timeout: 10_000 }).toBe(serialOf(second.cert));
  });
});
