/**
 * `npm run media-node-cert -- --node-id county-1 --names 10.20.0.5 --out ./county-1-tls`
 *
 * Run on a signaling machine: Beacon's CA (<BEACON_DATA_DIR>/tls, created
 * at signaling's first start) issues a media node its control certificate
 * for the names signaling reaches it by (the host in its https:// MEDIA_NODES
 * URL or its Redis entry). Writes node.crt, node.key and ca.crt into --out;
 * copy them to the node and set MEDIA_NODE_TLS_CERT / _KEY / _CA there.
 * Exit status: 0 issued, 1 refused (the message says why), 2 bad arguments.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { issueMediaNodeCertificate } from './mediaNodeCertificates.ts';

const USAGE = 'usage: npm run media-node-cert -- --node-id <MEDIA_NODE_ID> --names <host or address,...> --out <dir>';

async function main(): Promise<number> {
  let values: { 'node-id'?: string; names?: string; out?: string };
  try {
    ({ values } = parseArgs({
      options: { 'node-id': { type: 'string' }, names: { type: 'string' }, out: { type: 'string' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const nodeId = values['node-id'];
  const names = (values.names ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!nodeId || names.length === 0 || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const dir = path.join(loadConfig().dataDir, 'tls');
  try {
    const issued = await issueMediaNodeCertificate({ dir, nodeId, names, outDir: values.out });
    const cert = new X509Certificate(await readFile(issued.certPath, 'utf8'));
    console.log(`media node ${nodeId}: ${cert.subjectAltName} until ${cert.validTo}`);
    console.log(`  MEDIA_NODE_TLS_CERT=${issued.certPath}`);
    console.log(`  MEDIA_NODE_TLS_KEY=${issued.keyPath}`);
    console.log(`  MEDIA_NODE_TLS_CA=${issued.caPath}`);
    return 0;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    console.error(`refused (${code}): ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
