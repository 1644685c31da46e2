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
import { readFile } from 'node:fs/promises';
import { Lifecycle, LifecycleError } from '@beacon/common';
import { createLogger } from '../logger.ts';
import { MediaServer } from '../MediaServer.ts';
import { ControlServer } from './ControlServer.ts';
import { loadMediaNodeConfig } from './nodeConfig.ts';
import { RedisRegistration } from './RedisRegistration.ts';
import { TlsFileReload } from './tlsFileReload.ts';

const logger = createLogger('media-node');

/** Media first, then the control server, then the directory entry; a signal stops them in reverse. */
const life = new Lifecycle({ name: 'media node', logger });

async function main(): Promise<void> {
  // Stopping leaves the directory first, so no signaling node connects to a node on its way out.
  life.stopOnSignals({ deadlineMs: 15_000 });
  const config = loadMediaNodeConfig();
  const tls = config.tls
    ? {
        cert: await readFile(config.tls.certFile, 'utf8'),
        key: await readFile(config.tls.keyFile, 'utf8'),
        ca: await readFile(config.tls.caFile, 'utf8'),
      }
    : null;
  const redisCa = config.redisCaFile ? await readFile(config.redisCaFile, 'utf8') : null;
  const media = await life.start(
    'media',
    () => MediaServer.create(config.media),
    (m) => m.close(),
  );
  const control = await life.start(
    'control server',
    () =>
      ControlServer.start(media, {
        nodeId: config.nodeId,
        region: config.region,
        key: config.key,
        host: config.controlHost,
        port: config.controlPort,
        clientGraceMs: config.clientGraceMs,
        tls,
        ...(config.pipeAllow ? { pipeAllow: config.pipeAllow } : {}),
      }),
    (c) => c.close(),
  );
  if (config.tls && tls) {
    const files = config.tls;
    // A renewed certificate copied over the files, or SIGHUP: new handshakes get it, rooms stay.
    const reload = new TlsFileReload(
      { files, apply: (material) => control.reloadTls(material), watchIntervalMs: files.watchIntervalMs },
      tls,
    );
    life.add('certificate reload', () => reload.stop());
  } else {
    // `systemctl reload` on a node without TLS: nothing to load, and no reason to die of the signal.
    process.on('SIGHUP', () => logger.info('SIGHUP: no TLS files to reload'));
  }
  const { redisUrl } = config;
  if (redisUrl) {
    const host =
      media.options.announcedAddress ??
      (config.controlHost === '0.0.0.0' ? media.options.listenIp : config.controlHost);
    const scheme = tls ? 'https' : 'http';
    const url = config.controlUrl ?? `${scheme}://${host.includes(':') ? `[${host}]` : host}:${control.port}`;
    await life.start(
      'directory entry',
      () =>
        RedisRegistration.start(redisUrl, { nodeId: config.nodeId, url, region: config.region }, config.key, {
          ca: redisCa,
        }),
      (registration) => registration.stop(),
    );
  }
  process.stdout.write(`media-node ready ${JSON.stringify({ nodeId: config.nodeId, controlPort: control.port })}\n`);
}

main().catch((error: unknown) => {
  // A signal during start: the lifecycle is stopping and exits by itself.
  if (error instanceof LifecycleError) return;
  logger.fatal({ err: error }, 'media node failed to start');
  process.exit(1);
});
