/**
 * `node --import tsx signaling/src/main.ts`: one Beacon node with embedded
 * media and store. Prints where to open the console and how to log in.
 */
import os from 'node:os';
import { loadConfig } from './config.ts';
import { SipGatewayProcess } from './gateway/SipGatewayProcess.ts';
import { startBeacon } from './server.ts';

function lanUrls(port: number): string[] {
  const urls: string[] = [];
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) urls.push(`http://${address.address}:${port}`);
    }
  }
  return urls;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const node = await startBeacon({ config });
  // The gateway reaches us on loopback whatever address browsers use.
  const gateway = config.sip
    ? new SipGatewayProcess({
        signalingUrl: `http://127.0.0.1:${node.port}`,
        tokens: node.tokens,
        dataDir: config.dataDir,
      })
    : null;
  await gateway?.start();

  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const urls = wildcard ? [`http://localhost:${node.port}`, ...lanUrls(node.port)] : [node.url];
  const users = node.store.users.list();
  const city = users.filter((u) => u.role !== 'township').map((u) => `${u.username} (${u.role})`);
  const townships = users.filter((u) => u.role === 'township').map((u) => u.username);
  console.log(`\nBeacon 烽火 is running.\n\n  Open:      ${urls.join('\n             ')}`);
  console.log(`  Accounts:  ${city.join(', ')}`);
  console.log(`             one per township: ${townships.join(', ')}`);
  console.log(`  Password:  ${config.demoPassword} (demo accounts; change BEACON_DEMO_PASSWORD before real use)\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: shutting down…`);
    // A hung close must not keep the process alive forever.
    setTimeout(() => process.exit(1), 10_000).unref();
    Promise.resolve(gateway?.stop())
      .then(() => node.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error('shutdown failed', err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
