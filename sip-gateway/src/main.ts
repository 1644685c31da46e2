/**
 * `node --import tsx sip-gateway/src/main.ts`: the SIP gateway process.
 * Normally started by signaling (which passes BEACON_SIGNALING_URL and a
 * service token over IPC, see ParentToken); see config.ts for the rest.
 */
import { Lifecycle, LifecycleError } from '@beacon/common';
import { loadGatewayConfig } from './config.ts';
import { Gateway } from './Gateway.ts';
import { createLogger } from './logger.ts';

const logger = createLogger('main');

/** One part (the gateway stops its calls, user agent and Kamailio in order); signals and a lost parent stop it. */
const life = new Lifecycle({ name: 'SIP gateway', logger, stopTimeoutMs: 7000 });

async function main(): Promise<void> {
  life.stopOnSignals({ deadlineMs: 8000 });
  // Signaling is our parent: when it goes, so do we (and so does Kamailio).
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const config = loadGatewayConfig();
  const gateway = await life.start(
    'gateway',
    () => Gateway.start(config),
    (g) => g.stop(),
  );
  gateway.on('fatal', (reason) => {
    logger.error({ reason }, 'exiting so that signaling restarts the gateway');
    void life.stop().finally(() => process.exit(1));
  });
}

main().catch((err: unknown) => {
  // A signal during start: the lifecycle is stopping and exits by itself.
  if (err instanceof LifecycleError) return;
  logger.fatal({ err }, 'SIP gateway failed to start');
  process.exit(1);
});
