/**
 * `npm run backup -- DIR` / `npm run restore -- DIR` (see commandLine.ts).
 * The data dir and the database come from Beacon's own configuration
 * (BEACON_DATA_DIR, DATABASE_URL), so the command sees what Beacon sees.
 * Exit status: 0 done, 1 refused or failed (the error code is printed), 2 bad arguments.
 */
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { BackupError } from './BackupError.ts';
import { createBackup } from './backup.ts';
import { type Command, parseCommandLine } from './commandLine.ts';
import { restoreBackup } from './restore.ts';

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(command: Command): Promise<void> {
  const config = loadConfig();
  const dataDir = command.dataDir ?? path.resolve(config.dataDir);
  if (command.command === 'backup') {
    const result = await createBackup({
      dir: command.dir,
      dataDir,
      databaseUrl: config.databaseUrl,
      recordings: command.recordings,
    });
    const { manifest } = result;
    const rows = Object.values(manifest.tables).reduce((sum, n) => sum + n, 0);
    console.log(
      `backup written to ${result.dir}: ${manifest.backend}, schema ${manifest.schemaVersion}, ${rows} rows, ` +
        `${manifest.files.length} files, ${mb(result.bytes)} in ${seconds(result.durationMs)}`,
    );
    if (result.skipped.length > 0) console.log(`not copied (rebuilt at start): ${result.skipped.join(', ')}`);
    return;
  }
  const result = await restoreBackup({
    dir: command.dir,
    dataDir,
    databaseUrl: config.databaseUrl,
    force: command.force,
  });
  console.log(
    `restored the backup of ${result.manifest.createdAt} (${result.manifest.backend}, schema ${result.manifest.schemaVersion}) ` +
      `into ${dataDir} in ${seconds(result.durationMs)}; start Beacon on it`,
  );
}

try {
  await main(parseCommandLine(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd()));
} catch (err) {
  if (err instanceof BackupError) {
    console.error(`${err.code}: ${err.message}`);
    process.exitCode = err.code === 'backup_bad_arguments' ? 2 : 1;
  } else {
    console.error(err);
    process.exitCode = 1;
  }
}
