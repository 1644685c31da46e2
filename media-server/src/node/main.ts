/**
 * A standalone media node: `node --import tsx media-server/src/node/main.ts`,
 * configured by the environment (nodeConfig.ts). Signaling drives it over
 * the control server and places participants on it (cascade: a room may
 * span several media nodes, joined by PipeTransports).
 *
 * Once listening it prints one line `media-node ready {"nodeId":…,"controlPort":…}`
 * to stdout, so a supervisor (or a test) using port 0 learns the port.
 * SIGTERM / SIGINT close the control server and the workers.
 */
import { createLogger } from '../logger.ts';
import { MediaServer } from '../MediaServer.ts';
import { ControlServer } from './ControlServer.ts';
import { loadMediaNodeConfig } from './nodeConfig.ts';
import { RedisRegistration } from './RedisRegistration.ts';

const logger = createLogger('media-node');

async function main(): Promise<void> {
  const config = loadMediaNodeConfig();
  const media = await MediaServer.create(config.media);
  let control: ControlServer;
  try {
    control = await ControlServer.start(media, {
      nodeId: config.nodeId,
      region: config.region,
      key: config.key,
      host: config.controlHost,
      port: config.controlPort,
      clientGraceMs: config.clientGraceMs,
    });
  } catch (error) {
    await media.close();
    throw error;
  }
  let registration: RedisRegistration | null = null;
  if (config.redisUrl) {
    const host =
      media.options.announcedAddress ??
      (config.controlHost === '0.0.0.0' ? media.options.listenIp : config.controlHost);
    const url = config.controlUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${control.port}`;
    registration = await RedisRegistration.start(config.redisUrl, {
      nodeId: config.nodeId,
      url,
      region: config.region,
    });
  }
  process.stdout.write(`media-node ready ${JSON.stringify({ nodeId: config.nodeId, controlPort: control.port })}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'media node stopping');
    // Leave the directory first, so no signaling node connects to a node on its way out.
    void Promise.allSettled([registration?.stop()])
      .then(() => Promise.allSettled([control.close(), media.close()]))
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'media node failed to start');
  process.exit(1);
});
