import { chmod, lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateDir, privateFile, secureDataDir } from './dataDirAccess.ts';

const modeOf = async (target: string) => ((await lstat(target)).mode & 0o777).toString(8);

describe('data directory permissions', () => {
  let root: string;
  let umask: number;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'beacon-datadir-'));
    // The most permissive umask a service can be started with: nothing may depend on it.
    umask = process.umask(0);
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(root, { recursive: true, force: true });
  });

  it('creates a new data dir 0700 whatever the umask', async () => {
    const dataDir = path.join(root, 'new', 'data');
    expect(await secureDataDir(dataDir)).toEqual([]);
    expect(await modeOf(dataDir)).toBe('700');
  });

  it("tightens an older install's dirs and files, says what changed, and leaves symbolic links' targets alone", async () => {
    const dataDir = path.join(root, 'data');
    const outside = path.join(root, 'outside.txt');
    await mkdir(path.join(dataDir, 'recordings', 'r1.segments'), { recursive: true });
    await writeFile(path.join(dataDir, 'beacon.sqlite'), '');
    await writeFile(path.join(dataDir, 'recordings', 'r1.webm'), '');
    await writeFile(path.join(dataDir, 'jwt-secret'), 'secret');
    await writeFile(outside, '');
    await symlink(outside, path.join(dataDir, 'link'));
    for (const target of [dataDir, path.join(dataDir, 'recordings'), path.join(dataDir, 'recordings', 'r1.segments')])
      await chmod(target, 0o777);
    await chmod(path.join(dataDir, 'beacon.sqlite'), 0o666);
    await chmod(path.join(dataDir, 'recordings', 'r1.webm'), 0o644);
    await chmod(path.join(dataDir, 'jwt-secret'), 0o600);
    await chmod(outside, 0o644);

    const changes = await secureDataDir(dataDir);

    expect(changes.map((c) => [path.relative(dataDir, c.path), c.from, c.to]).sort()).toEqual(
      [
        ['', '777', '700'],
        ['beacon.sqlite', '666', '600'],
        ['recordings', '777', '700'],
        [path.join('recordings', 'r1.segments'), '777', '700'],
        [path.join('recordings', 'r1.webm'), '644', '600'],
      ].sort(),
    );
    expect(await modeOf(path.join(dataDir, 'recordings', 'r1.webm'))).toBe('600');
    expect(await modeOf(outside)).toBe('644');
    // A second start has nothing left to change.
    expect(await secureDataDir(dataDir)).toEqual([]);
  });

  it('creates private files and dirs 0600/0700 and tightens existing ones', async () => {
    const file = path.join(root, 'beacon.sqlite');
    await privateFile(file);
    expect(await modeOf(file)).toBe('600');
    await chmod(file, 0o644);
    await privateFile(file);
    expect(await modeOf(file)).toBe('600');
    const dir = path.join(root, 'a', 'recordings');
    await privateDir(dir);
    expect(await modeOf(dir)).toBe('700');
  });
});
