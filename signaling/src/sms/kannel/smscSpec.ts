/** BEACON_SMSC: `fake`, `file:/absolute/path`, or `smpp://systemid:password@host:port[?system-type=…]`. */
import path from 'node:path';
import type { SmscSpec } from './KannelConfig.ts';

export function parseSmsc(value: string): SmscSpec | null {
  if (value === 'fake') return { kind: 'fake' };
  if (value.startsWith('file:')) {
    const file = value.slice('file:'.length);
    return path.isAbsolute(file) && !/["\r\n]/.test(file) ? { kind: 'file', path: file } : null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const port = Number(url.port);
  if (url.protocol !== 'smpp:' || !url.hostname || !Number.isInteger(port) || port <= 0 || !url.username) return null;
  const systemId = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const systemType = url.searchParams.get('system-type') ?? '';
  if ([systemId, password, systemType].some((v) => /["\r\n]/.test(v))) return null;
  return { kind: 'smpp', host: url.hostname, port, systemId, password, systemType };
}
