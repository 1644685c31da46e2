import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRouter } from './consoleStatic.ts';

describe('console files', () => {
  let dist: string;
  let url: string;
  let server: Server;
  /** A built script of the size the console's first screen loads: text that compresses as code does. */
  const script = Array.from({ length: 4_000 }, (_, i) => `export function step${i}(a){return a+${i}}`).join('\n');

  beforeAll(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), 'beacon-console-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(
      path.join(dist, 'index.html'),
      '<!doctype html><script type="module" src="/assets/index-abc123.js">',
    );
    await writeFile(path.join(dist, 'assets', 'index-abc123.js'), script);
    await writeFile(path.join(dist, 'favicon.svg'), '<svg/>');
    const app = express();
    app.use(consoleRouter(dist));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('sends scripts gzip-compressed to a browser that takes it, the same bytes once unpacked', async () => {
    // fetch() would unpack on its own: read the raw body through node:http instead.
    const { headers, body } = await rawGet(`${url}/assets/index-abc123.js`, { 'accept-encoding': 'gzip' });
    expect(headers['content-encoding']).toBe('gzip');
    expect(body.length).toBeLessThan(script.length / 4);
    expect(gunzipSync(body).toString()).toBe(script);
    const plain = await rawGet(`${url}/assets/index-abc123.js`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('lets hashed assets be cached for a year, and revalidates the page and client routes', async () => {
    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    for (const pathname of ['/', '/index.html', '/favicon.svg', '/room/city-weekly']) {
      const res = await fetch(`${url}${pathname}`);
      expect(res.status, pathname).toBe(200);
      expect(res.headers.get('cache-control'), pathname).toBe('no-cache');
    }
  });
});

async function rawGet(
  target: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request(target, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
