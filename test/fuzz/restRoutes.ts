/**
 * Every REST route Beacon serves, read from its express router stack: an
 * in-process node is started on a temp data dir only to be looked at (the
 * fuzzed node is a separate process), so a route added tomorrow is fuzzed
 * without anyone listing it here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, startBeacon } from '@beacon/signaling';
import { freePortBlock } from '../src/ports.ts';

export interface Route {
  method: string;
  /** Express path with `:params`. */
  path: string;
}

interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

export async function listRoutes(): Promise<Route[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'beacon-routes-'));
  const config = loadConfig({
    BEACON_PORT: '0',
    BEACON_HOST: '127.0.0.1',
    BEACON_TLS: 'off',
    BEACON_DATA_DIR: dataDir,
    BEACON_DEMO: 'off',
    BEACON_SIP: 'off',
    LOG_LEVEL: 'error',
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
    MEDIA_RTC_PORT_BASE: String(await freePortBlock()),
  });
  const node = await startBeacon({ config });
  try {
    const stack = (node.app as unknown as { router: { stack: Layer[] } }).router.stack;
    const routes = new Map<string, Route>();
    walk(stack, '', routes);
    return [...routes.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  } finally {
    await node.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function walk(stack: Layer[], prefix: string, out: Map<string, Route>): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const routePath of [layer.route.path].flat()) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (!on || method === '_all') continue;
          const route = { method: method.toUpperCase(), path: join(prefix, routePath) };
          out.set(`${route.method} ${route.path}`, route);
        }
      }
    } else if (layer.handle?.stack) {
      for (const mount of [layer.rawPath ?? ''].flat()) walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

function join(prefix: string, rest: string): string {
  if (rest === '/' || rest === '') return prefix || '/';
  return `${prefix.replace(/\/$/, '')}${rest}`;
}
