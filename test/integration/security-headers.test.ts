/**
 * The security headers on a real node over HTTPS: the API (answers, errors,
 * unknown routes), the console's files and its client-side routes, the
 * certificate help page and ops endpoints all carry the CSP, nosniff, the
 * Referrer-Policy and no framing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDir, startTestNode, type TestNode } from './helpers.ts';

/** GET over HTTPS trusting the node's own CA; the response headers. */
function headersOf(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}

describe('security headers on a running node', () => {
  let node: TestNode;
  let ca: string;

  beforeAll(async () => {
    const dataDir = await makeDataDir();
    const dist = path.join(dataDir, 'console');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/a.js"></script>');
    await writeFile(path.join(dist, 'assets', 'a.js'), 'export {};');
    node = await startTestNode({
      dataDir,
      env: { BEACON_TLS: 'auto', BEACON_HTTP_PORT: 'off', BEACON_CONSOLE_DIST: dist },
    });
    ca = node.node.tls?.caCert ?? '';
  });
  afterAll(() => node?.stop());

  it('are on every kind of response', async () => {
    const paths = [
      ['/', 200],
      ['/assets/a.js', 200],
      ['/rooms/city-weekly', 200],
      ['/healthz', 200],
      ['/api/v1/settings', 401],
      ['/api/v1/no-such-route', 401],
      ['/api/no-such-route', 404],
      ['/cert-help', 200],
    ] as const;
    for (const [pathname, status] of paths) {
      const res = await headersOf(`${node.node.url}${pathname}`, ca);
      expect({ pathname, status: res.status }).toEqual({ pathname, status });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      // Over HTTPS, the browsing context is isolated from other origins' windows.
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    }
  });
});
