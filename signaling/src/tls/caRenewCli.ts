/**
 * `npm run ca-renew`            renews Beacon's CA (caRenewal.ts): a new key and certificate with the same
 *                               subject and name constraints; ca-bundle.crt trusts both CAs meanwhile.
 * `npm run ca-renew -- --finish` ends the overlap: only the new CA is trusted (run once every terminal, node
 *                               and station has the bundle or a certificate of the new CA).
 *
 * Run on the signaling machine (BEACON_DATA_DIR as Beacon's), while Beacon runs or not; restart signaling
 * afterwards so it serves the bundle. Both steps are written to the audit log of Beacon's database.
 * Exit status: 0 done, 1 refused or failed (the message says why), 2 bad arguments.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { auditRepository } from '../store/auditRecords.ts';
import { openPostgresDb } from '../store/postgresDb.ts';
import { openSqliteDb } from '../store/sqliteDb.ts';
import { renewCa } from './caRenewal.ts';
import { forgetPreviousCa, trustPath } from './caTrust.ts';

const USAGE = 'usage: npm run ca-renew [-- --validity-days <days>] | npm run ca-renew -- --finish';

async function main(): Promise<number> {
  let values: { finish?: boolean; 'validity-days'?: string };
  try {
    ({ values } = parseArgs({ options: { finish: { type: 'boolean' }, 'validity-days': { type: 'string' } } }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const days = values['validity-days'] === undefined ? 3650 : Number(values['validity-days']);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    console.error(`--validity-days must be 1..3650\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const dir = path.join(config.dataDir, 'tls');
  // Opened first: a renewal that could not be audited must not happen.
  const db = config.databaseUrl
    ? await openPostgresDb(config.databaseUrl)
    : openSqliteDb(path.join(config.dataDir, 'beacon.sqlite'));
  const audit = auditRepository(db, false);
  try {
    // A database without the audit log (Beacon never started here) is refused before anything changes.
    await audit.list({ limit: 1 });
    if (values.finish) {
      await forgetPreviousCa(dir);
      await audit.append({ actorId: null, role: null, action: 'tls.ca_overlap_ended', target: null, detail: { dir } });
      console.log(`only the CA in ${await trustPath(dir)} is trusted now; restart signaling to serve it alone`);
      return 0;
    }
    const renewed = await renewCa({ dir, validityDays: days, permitted: config.tls.caPermitted });
    await audit.append({
      actorId: null,
      role: null,
      action: 'tls.ca_renewed',
      target: renewed.current.fingerprint,
      detail: {
        subject: renewed.subject,
        previousFingerprint: renewed.previous.fingerprint,
        previousNotAfter: renewed.previous.notAfter.toISOString(),
        notAfter: renewed.current.notAfter.toISOString(),
        subtrees: renewed.subtrees,
      },
    });
    console.log(
      `Beacon CA renewed (${renewed.subject.replace(/\n/g, ', ')}) until ${renewed.current.notAfter.toISOString()}`,
    );
    console.log(`  new SHA-256 fingerprint:      ${renewed.current.fingerprint}`);
    console.log(`  previous (trusted meanwhile): ${renewed.previous.fingerprint}`);
    console.log(`  trust bundle: ${renewed.bundlePath}`);
    console.log('  next: restart signaling (it serves the bundle as beacon-ca.crt); terminals download it again;');
    console.log("  copy the bundle over each media node's MEDIA_NODE_TLS_CA and each station's ca.crt;");
    console.log('  certificates issued from now on come from the new CA. End the overlap with --finish.');
    return 0;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    console.error(`refused (${code}): ${(err as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}

process.exitCode = await main();
