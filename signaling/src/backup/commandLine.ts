/**
 * The backup CLI's arguments, validated with zod after node:util's parseArgs
 * has split them:
 *
 *   backup  DIR [--recordings] [--data-dir PATH]
 *   restore DIR [--force]      [--data-dir PATH]
 *
 * Relative paths are taken from where the user typed the command (npm run
 * changes into the repository and keeps that place in INIT_CWD).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BackupError } from './BackupError.ts';

export const USAGE = `usage: npm run backup -- DIR [--recordings] [--data-dir PATH]
       npm run restore -- DIR [--force] [--data-dir PATH]

  backup   copies the running Beacon's database, secrets and TLS material
           (and recordings with --recordings) into DIR, a new or empty directory
  restore  puts the backup in DIR back into the data dir (Beacon stopped);
           --force replaces a data dir or database that already holds data
  --data-dir  the data dir (default: BEACON_DATA_DIR, else ./data);
              PostgreSQL deployments take the database from DATABASE_URL`;

const pathArg = z.string({ error: 'a path is required' }).trim().min(1, 'a path is required');

const commandSchema = z.discriminatedUnion('command', [
  z
    .object({
      command: z.literal('backup', { error: 'the command is backup or restore' }),
      dir: pathArg,
      dataDir: pathArg.optional(),
      recordings: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      command: z.literal('restore'),
      dir: pathArg,
      dataDir: pathArg.optional(),
      force: z.boolean().default(false),
    })
    .strict(),
]);
export type Command = z.infer<typeof commandSchema>;

/** Parses `argv` (without node and the script); throws backup_bad_arguments with the usage. */
export function parseCommandLine(argv: readonly string[], cwd: string): Command {
  let parsed: ReturnType<typeof split>;
  try {
    parsed = split(argv);
  } catch (err) {
    throw new BackupError('backup_bad_arguments', `${(err as Error).message}\n${USAGE}`);
  }
  const [command, dir, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new BackupError('backup_bad_arguments', `unexpected: ${extra.join(' ')}\n${USAGE}`);
  const result = commandSchema.safeParse({
    command,
    dir,
    ...(parsed.values['data-dir'] === undefined ? {} : { dataDir: parsed.values['data-dir'] }),
    ...(parsed.values.recordings === undefined ? {} : { recordings: parsed.values.recordings }),
    ...(parsed.values.force === undefined ? {} : { force: parsed.values.force }),
  });
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || 'command'}: ${issue.message}`);
    throw new BackupError('backup_bad_arguments', `${issues.join('; ')}\n${USAGE}`);
  }
  const resolved = result.data;
  return {
    ...resolved,
    dir: path.resolve(cwd, resolved.dir),
    ...(resolved.dataDir === undefined ? {} : { dataDir: path.resolve(cwd, resolved.dataDir) }),
  };
}

function split(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      recordings: { type: 'boolean' },
      force: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
  });
}
