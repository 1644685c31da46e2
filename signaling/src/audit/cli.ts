/**
 * `npm run audit:verify`: walks the audit hash chain of the database Beacon's
 * configuration names (BEACON_DATA_DIR's beacon.sqlite, or DATABASE_URL) and
 * prints the first broken row, or the head to note down when the chain holds.
 * Reads only: opens the database without migrating it.
 * Exit status: 0 the chain holds, 1 it is broken or could not be read.
 */
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { auditRepository } from '../store/auditRecords.ts';
import { openPostgresDb, redactUrl } from '../store/postgresDb.ts';
import { openSqliteDb } from '../store/sqliteDb.ts';
import { describeBreak, verifyChain } from './verifyChain.ts';

async function main(): Promise<number> {
  const config = loadConfig();
  const file = path.join(config.dataDir, 'beacon.sqlite');
  const db = config.databaseUrl ? await openPostgresDb(config.databaseUrl) : openSqliteDb(file);
  const where = config.databaseUrl ? redactUrl(config.databaseUrl) : file;
  try {
    const started = performance.now();
    const audit = auditRepository(db, false);
    const report = await verifyChain((afterId, limit) => audit.chainPage(afterId, limit));
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.log(
      `audit chain of ${where}: ${report.rows} rows read in ${seconds} s (${report.legacyRows} before the chain)`,
    );
    if (report.firstBroken) {
      const b = report.firstBroken;
      console.log(`BROKEN at row ${b.id} (${b.reason}): ${describeBreak(b)}`);
      console.log(`  expected: ${b.expected}`);
      console.log(`  found:    ${b.found ?? '(none)'}`);
      return 1;
    }
    console.log(
      report.head
        ? `OK: the chain holds; head row ${report.head.id}, hash ${report.head.hash ?? '(none: no chained row yet)'}`
        : 'OK: the audit log is empty',
    );
    return 0;
  } finally {
    await db.close();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
