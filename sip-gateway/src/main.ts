/**
 * `node --import tsx sip-gateway/src/main.ts`: the SIP gateway process.
 * Normally started by signaling (which passes BEACON_SIGNALING_URL and a
 * service token in BEACON_GATEWAY_TOKEN); see config.ts for the rest.
 */
import { loadGatewayConfig } from './config.ts';
import { Gateway } from './Gateway.ts';
import { createLogger } from './logger.ts';

const logger = createLogger('main');

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await Gateway.start(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => process.exit(1), 8000).unref();
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  gateway.on('fatal', (reason) => {
    logger.error({ reason }, 'exiting so that signaling restarts the gateway');
    void gateway.stop().finally(() => process.exit(1));
  });
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Signaling is our parent: when it goes, so do we (and so does Kamailio).
  process.on('disconnect', () => shutdown('parent gone'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'SIP gateway failed to start');
  process.exit(1);
});
