import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsMaterial } from '../tls/serverTls.ts';
import { plainHttpApp } from './certificateHelp.ts';
import { consoleRouter } from './consoleStatic.ts';
import { errorHandler } from './errors.ts';
import { securityHeaders, tileSource } from './securityHeaders.ts';

async function serve(app: Express): Promise<{ url: string; server: Server }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The CSP as a map: directive → its sources. */
function directives(header: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

function expectSecurityHeaders(res: Response): Map<string, string[]> {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  const csp = directives(res.headers.get('content-security-policy'));
  expect(csp.get('default-src')).toEqual(["'self'"]);
  expect(csp.get('script-src')).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  return csp;
}

describe('security headers', () => {
  let dist: string;
  let url: string;
  let server: Server;

  beforeAll(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), 'beacon-csp-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(
      path.join(dist, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app.js"></script>',
    );
    await writeFile(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    const app = express();
    app.use(securityHeaders({ tileUrl: 'https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}' }));
    app.get('/healthz', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/api/v1/boom', () => {
      throw new Error('boom');
    });
    app.use(consoleRouter(dist));
    app.use(errorHandler);
    ({ url, server } = await serve(app));
  });
  afterAll(async () => {
    server.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('are on the console page, its script files and a failed request', async () => {
    for (const pathname of ['/', '/assets/app.js', '/some/client/route']) {
      const res = await fetch(`${url}${pathname}`);
      expect(res.status).toBe(200);
      expectSecurityHeaders(res);
    }
    const failed = await fetch(`${url}/api/v1/boom`);
    expect(failed.status).toBe(500);
    expectSecurityHeaders(failed);
  });

  it('allow what the console loads: data:/blob: images and the tile server, WebRTC media, same-host sockets', async () => {
    const csp = expectSecurityHeaders(await fetch(`${url}/`));
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https://*.tianditu.gov.cn']);
    expect(csp.get('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
    const host = new URL(url).host;
    expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
    // Style attributes only; never a <style> element, inline script or eval.
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
    expect([...csp.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('let the help page on the plain-HTTP origin probe /healthz, and leave out what plain HTTP ignores', async () => {
    const page = await fetch(`${url}/`);
    expect(page.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    // Browsers ignore these over plain HTTP, with a console error on every page.
    expect(page.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(page.headers.get('origin-agent-cluster')).toBeNull();
    const health = await fetch(`${url}/healthz`);
    expect(health.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expectSecurityHeaders(health);
  });

  it('name a tile server by its origin, a placeholder label as the wildcard', () => {
    expect(tileSource('https://t{s}.tianditu.gov.cn/img_w/wmts?x={x}')).toBe('https://*.tianditu.gov.cn');
    expect(tileSource('http://192.168.10.5:8080/tiles/{z}/{x}/{y}.png')).toBe('http://192.168.10.5:8080');
    expect(tileSource('HTTPS://tiles.example.gov.cn/{z}/{x}/{y}')).toBe('https://tiles.example.gov.cn');
    expect(tileSource('/tiles/{z}/{x}/{y}.png')).toBeNull();
    expect(tileSource("https://a.b'; script-src *")).toBeNull();
  });
});

describe('the plain-HTTP help page', () => {
  let url: string;
  let server: Server;

  beforeAll(async () => {
    const tls = { mode: 'auto', caCert: 'PEM', fingerprint: 'AB:CD' } as TlsMaterial;
    ({ url, server } = await serve(plainHttpApp({ tls, httpsPort: 8443 })));
  });
  afterAll(() => server.close());

  it('has no inline script: its probe is a file, allowed to reach the HTTPS origin only', async () => {
    const res = await fetch(`${url}/`);
    const csp = expectSecurityHeaders(res);
    expect(csp.get('connect-src')).toContain('https://127.0.0.1:8443');
    const html = await res.text();
    expect(html).toContain('<script src="/cert-probe.js"></script>');
    expect(html).not.toMatch(/<script>|<style>/);
    expect(html).toContain('<link rel="stylesheet" href="/cert-help.css">');
    const css = await fetch(`${url}/cert-help.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(html).toContain('data-target="https://127.0.0.1:8443"');
    const probe = await fetch(`${url}/cert-probe.js`);
    expect(probe.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await probe.text()).toContain("getAttribute('data-target')");
    const redirect = await fetch(`${url}/elsewhere`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expectSecurityHeaders(redirect);
  });
});
