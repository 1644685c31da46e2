import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable } from './findExecutable.ts';

describe('findExecutable', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'beacon-exec-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds a program on PATH or by its path, and only when it is executable', async () => {
    const program = path.join(dir, 'beacon-test-program');
    await writeFile(program, '#!/bin/sh\n');
    await chmod(program, 0o644);
    expect(findExecutable(program)).toBeNull();
    await chmod(program, 0o755);
    expect(findExecutable(program)).toBe(program);
    const saved = process.env.PATH;
    process.env.PATH = `/nonexistent:${dir}`;
    try {
      expect(findExecutable('beacon-test-program')).toBe(program);
    } finally {
      process.env.PATH = saved;
    }
    expect(findExecutable('beacon-no-such-program')).toBeNull();
  });

  it('falls back to the system bin and sbin directories when PATH lacks them', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      // `sh` is in /usr/bin on every Debian.
      expect(findExecutable('sh')).toMatch(/^\/(usr\/)?bin\/sh$|^\/usr\/sbin\/sh$/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
