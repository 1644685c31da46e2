/**
 * `node signaling/dist/main.js` (built) or `node --conditions=beacon-source --import tsx
 * signaling/src/main.ts` (from source): one Beacon node with embedded media and store.
 * Prints where to open the console and how to log in.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { Lifecycle, LifecycleError } from '@beacon/common';
import { initialAdminPasswordFile } from './auth/initialAdmin.ts';
import { type Config, loadConfig } from './config.ts';
import { SipGatewayProcess } from './gateway/SipGatewayProcess.ts';
import { createLogger } from './logger.ts';
import { formatPorts, portsToOpen } from './net/portsBanner.ts';
import { type BeaconNode, startBeacon } from './server.ts';
import { checkStartup, formatStartupProblems } from './startupChecks.ts';

function hostInUrl(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** The node, then the SIP gateway; SIGTERM / SIGINT stop them in reverse (the gateway first). */
const life = new Lifecycle({ name: 'beacon', logger: createLogger('main'), stopTimeoutMs: 10_000 });

async function main(): Promise<void> {
  life.stopOnSignals({ deadlineMs: 10_000, onSignal: (signal) => console.log(`\n${signal}: shutting down…`) });
  const config = loadConfig();
  // Starting changes nothing on the machine: it says what is missing and stops only without a vital part.
  const problems = checkStartup(config);
  if (problems.length > 0) console.error(formatStartupProblems(problems));
  if (problems.some((problem) => problem.severity === 'fatal')) {
    throw new Error('Beacon cannot start without the parts above.');
  }
  const gatewayBuilt = !problems.some((problem) => problem.part === 'SIP gateway build');
  const node = await life.start(
    'node',
    () => startBeacon({ config }),
    (n) => n.close(),
  );
  if (config.sip && gatewayBuilt) {
    // The gateway reaches us on loopback (plain HTTP there: no certificate names 127.0.0.1 for it).
    const gateway = new SipGatewayProcess({
      signalingUrl: node.internalUrl,
      tokens: node.tokens,
      dataDir: config.dataDir,
    });
    await life.start(
      'SIP gateway',
      () => gateway.start(),
      () => gateway.stop(),
    );
  }

  const scheme = node.tls ? 'https' : 'http';
  const urls = node.addresses.consoleAddresses
    .filter((address) => address !== '::1')
    .map((address) => `${scheme}://${hostInUrl(address)}:${node.port}`);
  console.log(`\nBeacon 烽火 is running.\n\n  Open:      ${urls.join('\n             ')}`);
  console.log(await accountsBanner(node, config));
  if (node.tls?.mode === 'auto') {
    const helpUrl = node.httpPort !== null ? `http://<address>:${node.httpPort}/` : `${urls[0]}/cert-help`;
    console.log(`  TLS:       Beacon's own CA (${node.tls.caCertPath}); terminals install it once: ${helpUrl}`);
    console.log(`             CA fingerprint SHA-256 ${node.tls.fingerprint}`);
  } else if (node.tls?.mode === 'files') {
    console.log(
      `  TLS:       configured certificate (valid until ${node.tls.notAfter.toISOString().slice(0, 10)}), HSTS on`,
    );
  } else {
    console.log('  TLS:       off (BEACON_TLS=off): cameras open only on localhost or behind an HTTPS proxy');
  }
  console.log(
    `  Media:     announced address ${node.addresses.mediaAnnounced} (${node.addresses.mediaAnnouncedSource})`,
  );
  for (const warning of node.addresses.warnings) console.log(`  Warning:   ${warning}`);
  const ports = portsToOpen({ config, httpsPort: node.port, httpPort: node.httpPort, tls: node.tls !== null });
  console.log(
    `\n  Ports to open in firewalls between the townships and this server:\n${formatPorts(ports).replace(/^/gm, '    ')}\n`,
  );
}

/** Demo: a loud banner and the demo accounts; otherwise where the admin's one-time password is (never the password). */
async function accountsBanner(node: BeaconNode, config: Config): Promise<string> {
  if (!config.demo) {
    const file = initialAdminPasswordFile(config.dataDir);
    return existsSync(file)
      ? `  Admin:     admin — its one-time password is in ${file} (read it, sign in, choose your own)`
      : '  Accounts:  sign in with your own; an admin adds people in the console (管理)';
  }
  const users = await node.store.users.list();
  const city = users.filter((u) => u.role !== 'township').map((u) => `${u.username} (${u.role})`);
  const townships = users.filter((u) => u.role === 'township').map((u) => u.username);
  return [
    '',
    '  ════ 演示数据 / demo data (BEACON_DEMO=on) ════',
    '  A sample city (楚雄市) for trying Beacon out. For real use: BEACON_DEMO=off (npm run start:prod).',
    `  Accounts:  ${city.join(', ')}`,
    `             one per township: ${townships.join(', ')}`,
    `  Password:  ${config.demoPassword} (published: each account chooses its own at first sign-in)`,
    '  Phones:    each has its own random SIP password; an admin sets a new one to configure a phone',
  ].join('\n');
}

main().catch((err: unknown) => {
  // A signal during start: the lifecycle is stopping and exits by itself.
  if (err instanceof LifecycleError) return;
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
