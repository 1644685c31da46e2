/**
 * `npm run station-cert -- --station RG-001 --out ./RG-001-tls`
 *
 * Run on the signaling machine: Beacon's CA (<BEACON_DATA_DIR>/tls, created at signaling's first start) issues a
 * monitoring station a client certificate for MQTT over TLS (needed when BEACON_MQTT_CLIENT_CERT=on; the station
 * still logs in with its id and token). Writes station.crt, station.key and ca.crt into --out for the station.
 * Exit status: 0 issued, 1 refused (the message says why), 2 bad arguments.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { issueStationCertificate } from './mqttCertificate.ts';

const USAGE = 'usage: npm run station-cert -- --station <station id> --out <dir>';

async function main(): Promise<number> {
  let values: { station?: string; out?: string };
  try {
    ({ values } = parseArgs({ options: { station: { type: 'string' }, out: { type: 'string' } } }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.station || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const dir = path.join(loadConfig().dataDir, 'tls');
  try {
    const issued = await issueStationCertificate({ dir, stationId: values.station, outDir: values.out });
    const cert = new X509Certificate(await readFile(issued.certPath, 'utf8'));
    console.log(`station ${values.station}: ${cert.subjectAltName} until ${cert.validTo}`);
    console.log(`  client certificate ${issued.certPath}, key ${issued.keyPath}, Beacon's CA ${issued.caPath}`);
    return 0;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    console.error(`refused (${code}): ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
