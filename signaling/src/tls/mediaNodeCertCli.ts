/**
 * `npm run media-node-cert -- --node-id county-1 --names 10.20.0.5 --out ./county-1-tls`
 * `npm run media-node-cert -- --renew --out ./county-1-tls`
 *
 * Run on a signaling machine: Beacon's CA (<BEACON_DATA_DIR>/tls, created
 * at signaling's first start) issues a media node its control certificate
 * for the names signaling reaches it by (the host in its https:// MEDIA_NODES
 * URL or its Redis entry). Writes node.crt, node.key and ca.crt into --out;
 * copy them to the node and set MEDIA_NODE_TLS_CERT / _KEY / _CA there.
 * `--renew` re-issues the certificate in --out for the same node id and
 * names (a new key and expiry); copy the files over the node's and send it
 * SIGHUP (`systemctl reload beacon-media-node`), or let it notice the
 * change: it keeps its rooms.
 * Exit status: 0 issued, 1 refused (the message says why), 2 bad arguments.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { issueMediaNodeCertificate, renewMediaNodeCertificate } from './mediaNodeCertificates.ts';

const USAGE = [
  'usage: npm run media-node-cert -- --node-id <MEDIA_NODE_ID> --names <host or address,...> --out <dir>',
  '       npm run media-node-cert -- --renew --out <dir with node.crt> [--node-id <MEDIA_NODE_ID>]',
].join('\n');

async function main(): Promise<number> {
  let values: { 'node-id'?: string; names?: string; out?: string; renew?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        'node-id': { type: 'string' },
        names: { type: 'string' },
        out: { type: 'string' },
        renew: { type: 'boolean' },
      },
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
  const renew = values.renew === true;
  // A renewal keeps the names of the certificate it renews: giving others is a new certificate, not a renewal.
  if (!values.out || (renew ? names.length > 0 : !nodeId || names.length === 0)) {
    console.error(USAGE);
    return 2;
  }
  const dir = path.join(loadConfig().dataDir, 'tls');
  try {
    const issued = renew
      ? await renewMediaNodeCertificate({ dir, outDir: values.out, ...(nodeId ? { nodeId } : {}) })
      : await issueMediaNodeCertificate({ dir, nodeId: nodeId as string, names, outDir: values.out });
    const cert = new X509Certificate(await readFile(issued.certPath, 'utf8'));
    const id = 'nodeId' in issued ? issued.nodeId : nodeId;
    console.log(`media node ${id}${renew ? ' (renewed)' : ''}: ${cert.subjectAltName} until ${cert.validTo}`);
    console.log(`  MEDIA_NODE_TLS_CERT=${issued.certPath}`);
    console.log(`  MEDIA_NODE_TLS_KEY=${issued.keyPath}`);
    console.log(`  MEDIA_NODE_TLS_CA=${issued.caPath}`);
    if (renew) console.log("  copy them over the node's files; it loads them on SIGHUP or within a minute by itself");
    return 0;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    console.error(`refused (${code}): ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
