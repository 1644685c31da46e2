/**
 * Where a Debian program Beacon starts (coturn's turnserver, kamailio) is:
 * the path itself when it has a slash, else the first executable of that name
 * on PATH, then in the sbin/bin directories a root shell has (a service's
 * PATH often lacks /usr/sbin, where both live).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function findExecutable(binary: string): string | null {
  const candidates = binary.includes('/')
    ? [binary]
    : (process.env.PATH ?? '')
        .split(':')
        .filter((dir) => dir !== '')
        .concat('/usr/sbin', '/usr/bin', '/sbin')
        .map((dir) => path.join(dir, binary));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
