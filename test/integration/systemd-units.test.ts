/**
 * The systemd units in deploy/systemd: systemd's own checker accepts them without a warning, and
 * they run what the build produces, as the `beacon` user, with the data dir 0700 and the hardening
 * the README promises. (Starting them needs systemd as PID 1, which test machines rarely have.)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/beaconProcess.ts';

const UNITS_DIR = path.join(REPO_ROOT, 'deploy/systemd');
const INSTALL_DIR = '/opt/beacon';
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((file) => existsSync(file));

/** `Key=value` lines of a unit file (last one wins, as in systemd for these keys). */
function directives(unit: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, key, value] = match as unknown as [string, string, string];
    map.set(key, [...(map.get(key) ?? []), value]);
  }
  return map;
}

const UNITS = [
  { name: 'beacon-signaling.service', main: 'signaling/dist/main.js', stateDir: 'beacon' },
  { name: 'beacon-media-node.service', main: 'media-server/dist/node/main.js', stateDir: 'beacon-media-node' },
];

describe('systemd units', () => {
  it.skipIf(!analyze)('pass systemd-analyze verify without a warning', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'beacon-units-'));
    try {
      for (const { name } of UNITS) {
        // verify checks that ExecStart's program exists: point it at this machine's node.
        const unit = (await readFile(path.join(UNITS_DIR, name), 'utf8')).replace(
          /^ExecStart=\/opt\/beacon\/\.runtime\/node\/bin\/node /m,
          `ExecStart=${process.execPath} `,
        );
        await writeFile(path.join(dir, name), unit);
      }
      const result = await promisify(execFile)(analyze as string, ['verify', ...UNITS.map((u) => u.name)], {
        cwd: dir,
        timeout: 30_000,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (err: { code?: number; stdout?: string; stderr?: string }) => ({
          code: err.code ?? -1,
          output: `${err.stdout ?? ''}${err.stderr ?? ''}`,
        }),
      );
      expect(result).toEqual({ code: 0, output: '' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(UNITS)('$name runs the built $main as beacon, restarts on failure, keeps a 0700 data dir', async (u) => {
    const d = directives(await readFile(path.join(UNITS_DIR, u.name), 'utf8'));
    // Beacon's pinned Node.js, which setup puts in the install directory (scripts/node-env.sh).
    expect(d.get('ExecStart')).toEqual([`${INSTALL_DIR}/.runtime/node/bin/node ${INSTALL_DIR}/${u.main}`]);
    // The path is one `npm run build` writes (the production-start test runs exactly that file).
    expect(u.main).toMatch(/^[a-z-]+\/dist\/.*\.js$/);
    expect(existsSync(path.join(REPO_ROOT, u.main.replace('/dist/', '/src/').replace(/\.js$/, '.ts')))).toBe(true);
    expect(d.get('User')).toEqual(['beacon']);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('EnvironmentFile')).toEqual(['/etc/beacon/beacon.env']);
    expect(d.get('StateDirectory')).toEqual([u.stateDir]);
    expect(d.get('StateDirectoryMode')).toEqual(['0700']);
    expect(d.get('StandardOutput')).toEqual(['journal']);
    for (const key of ['NoNewPrivileges', 'PrivateTmp', 'ProtectHome']) expect(d.get(key)).toEqual(['yes']);
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    // Every port Beacon uses is above 1024: no capabilities at all.
    expect(d.get('CapabilityBoundingSet')).toEqual(['']);
    expect(d.has('AmbientCapabilities')).toBe(false);
  });
});
