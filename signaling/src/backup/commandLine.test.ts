import { describe, expect, it } from 'vitest';
import { BackupError } from './BackupError.ts';
import { parseCommandLine } from './commandLine.ts';

function refused(argv: string[]): BackupError {
  try {
    parseCommandLine(argv, '/home/ops');
  } catch (err) {
    expect(err).toBeInstanceOf(BackupError);
    return err as BackupError;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('backup command line', () => {
  it('resolves paths from where the command was typed', () => {
    expect(parseCommandLine(['backup', 'nightly'], '/home/ops')).toEqual({
      command: 'backup',
      dir: '/home/ops/nightly',
      recordings: false,
    });
    expect(parseCommandLine(['backup', '/srv/b', '--recordings', '--data-dir', 'data'], '/home/ops')).toEqual({
      command: 'backup',
      dir: '/srv/b',
      dataDir: '/home/ops/data',
      recordings: true,
    });
    expect(parseCommandLine(['restore', '/srv/b', '--force'], '/')).toEqual({
      command: 'restore',
      dir: '/srv/b',
      force: true,
    });
  });

  it('refuses a missing directory, unknown options and options of the other command', () => {
    for (const argv of [
      ['backup'],
      ['restore', ''],
      ['backup', 'a', 'b'],
      ['backup', 'a', '--forse'],
      ['backup', 'a', '--force'],
      ['restore', 'a', '--recordings'],
      ['copy', 'a'],
      [],
    ]) {
      const err = refused(argv);
      expect(err.code, argv.join(' ')).toBe('backup_bad_arguments');
      expect(err.message).toMatch(/usage: npm run backup/);
    }
  });
});
