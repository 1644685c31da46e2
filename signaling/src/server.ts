/**
 * Starts one Beacon node: store → media → rooms → HTTP + socket.io. `close()`
 * undoes it in reverse so no socket outlives the rooms and no write outlives
 * the store.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type MediaControl, MediaServer } from '@beacon/media-server';
import { resolveJwtSecret, TokenService } from './auth/tokens.ts';
import { ClusterNode } from './cluster/ClusterNode.ts';
import { ClusterPresence } from './cluster/ClusterPresence.ts';
import { RoomOwnership } from './cluster/RoomOwnership.ts';
import { CommandRoom } from './command/CommandRoom.ts';
import type { Config } from './config.ts';
import { certificateHelpRouter, plainHttpApp } from './http/certificateHelp.ts';
import { createApp } from './http/createApp.ts';
import { createLogger } from './logger.ts';
import { CascadedMediaControl, InMemoryMediaNodeRegistry, RedisNodeDirectory } from './media-nodes/index.ts';
import { createMetricsRegistry } from './metrics.ts';
import { isWildcard, type ResolvedAddresses, resolveAddresses } from './net/addresses.ts';
import { MeetingJournal } from './rooms/MeetingJournal.ts';
import { RoomRegistry } from './rooms/RoomRegistry.ts';
import { SipBridge } from './sip/SipBridge.ts';
import { SipTaps } from './sip/SipTaps.ts';
import { createSocketServer } from './socket/createSocketServer.ts';
import { openStore, type Store } from './store/index.ts';
import { CertificateRenewal } from './tls/CertificateRenewal.ts';
import { prepareTls, type TlsMaterial } from './tls/serverTls.ts';
import { TurnService } from './turn/TurnService.ts';

const logger = createLogger('server');

export interface StartBeaconOptions {
  config: Config;
  /** A media node to drive; default: an in-process MediaServer owned (and closed) by this node. */
  media?: MediaControl;
}

export interface BeaconNode {
  /** https://127.0.0.1:PORT (http:// with BEACON_TLS=off) when listening on all interfaces, else …//HOST:PORT. */
  url: string;
  port: number;
  /**
   * Plain HTTP on loopback for this machine's own services (the SIP gateway):
   * they need no certificate that names 127.0.0.1. Same app and socket.io as `url`.
   */
  internalUrl: string;
  /** The plain-HTTP redirect/help port, null when none. */
  httpPort: number | null;
  /** TLS in use (null with BEACON_TLS=off). */
  tls: TlsMaterial | null;
  addresses: ResolvedAddresses;
  /** Cluster mode (REDIS_URL): this node's membership; null for one node. */
  cluster: ClusterNode | null;
  store: Store;
  media: MediaControl;
  rooms: RoomRegistry;
  tokens: TokenService;
  /** The SIP gateway's side of this node: status, dial-outs, credentials. */
  sip: SipBridge;
  /** The command room: incidents, warnings, tasks, presence; tests drive escalation through it. */
  command: CommandRoom;
  close(): Promise<void>;
}

export async function startBeacon(opts: StartBeaconOptions): Promise<BeaconNode> {
  const { config } = opts;
  mkdirSync(config.dataDir, { recursive: true });
  // Both checked before anything opens: a bad address or certificate must not leave a half-started node.
  const addresses = resolveAddresses(config);
  for (const warning of addresses.warnings) logger.warn(warning);
  const tls = await prepareTls(config, addresses.certificateNames);
  const store = await openStore({
    file: path.join(config.dataDir, 'beacon.sqlite'),
    databaseUrl: config.databaseUrl,
    seed: { demoPassword: config.demoPassword, sipRealm: config.sipRealm },
  });
  const tokens = new TokenService({ secret: resolveJwtSecret(config), ttlSeconds: config.jwtTtlSeconds });

  let media: MediaControl;
  let cluster: ClusterNode | null = null;
  // Declared before media: the cascade's placement looks peers up in it.
  let rooms: RoomRegistry | undefined;
  let directory: RedisNodeDirectory | null = null;
  try {
    // Redis first: a cluster node that cannot reach it must not start serving alone.
    if (config.cluster) {
      cluster = await ClusterNode.connect({
        redisUrl: config.cluster.redisUrl,
        ...(config.cluster.nodeId ? { nodeId: config.cluster.nodeId } : {}),
      });
    }
    if (opts.media) media = opts.media;
    else if (config.mediaNodes) {
      const { regions } = config.mediaNodes;
      media = await CascadedMediaControl.create({
        nodeUrls: config.mediaNodes.urls,
        key: config.mediaNodes.key,
        registry: new InMemoryMediaNodeRegistry(),
        enableSrtp: config.mediaNodes.pipeSrtp,
        // A township's participants go to its region's node (a county node near it); the rest by load.
        regionOf: (roomId, peerId) => {
          const townshipId = rooms?.get(roomId)?.get(peerId)?.claims.townshipId;
          return townshipId ? regions[townshipId] : undefined;
        },
      });
      if (config.mediaNodes.discover && cluster) {
        directory = await RedisNodeDirectory.start({ redis: cluster.redis, cascade: media as CascadedMediaControl });
      }
    } else media = await MediaServer.create({ ...config.media, announcedAddress: addresses.mediaAnnounced });
  } catch (err) {
    await cluster?.close();
    store.close();
    throw err;
  }
  const ownsMedia = opts.media === undefined;

  rooms = new RoomRegistry(media, { reconnectGraceMs: config.reconnectGraceMs });
  const journal = new MeetingJournal({ registry: rooms, store, media });
  const metrics = createMetricsRegistry({ media, rooms });
  const sip = new SipBridge({ store, realm: config.sipRealm });
  const taps = new SipTaps({ registry: rooms, media });
  const command = new CommandRoom({ store, registry: rooms, sip, escalationTickMs: config.escalationTickMs });
  const turn = config.turn.enabled
    ? new TurnService({ config, announcedAddress: addresses.mediaAnnounced, tls })
    : null;
  const app = createApp({
    store,
    tokens,
    registry: rooms,
    media,
    metrics,
    sip,
    command,
    consoleDist: config.consoleDist,
    settings: { map: config.map },
    turn,
    hsts: tls?.hsts ?? false,
    before: tls ? [certificateHelpRouter({ tls, httpsPort: config.port })] : [],
  });
  // TLS 1.2 is the floor: older versions have known breaks and every supported terminal browser speaks 1.2+.
  const httpServer: HttpServer = tls
    ? (createHttpsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, app) as unknown as HttpServer)
    : createServer(app);
  const recordingsDir = path.resolve(config.dataDir, 'recordings');
  const sockets = createSocketServer({
    httpServer,
    tokens,
    registry: rooms,
    media,
    store,
    recordingsDir,
    sip,
    taps,
    command,
    turn,
    cluster: cluster ? { node: cluster, ownership: new RoomOwnership(cluster) } : null,
  });

  // Plain HTTP: the redirect/help port for browsers, and loopback for our own child services.
  let plainServer: HttpServer | null = null;
  let internalServer: HttpServer | null = null;
  const clusterPresence = cluster ? new ClusterPresence(cluster, command.presence) : null;
  try {
    await sockets.forwarded?.start();
    await clusterPresence?.start();
    await listen(httpServer, config.port, config.host);
    if (tls) {
      const httpsPort = (httpServer.address() as AddressInfo).port;
      if (config.httpPort !== null) {
        plainServer = createServer(plainHttpApp({ tls, httpsPort }));
        await listen(plainServer, config.httpPort, config.host);
      }
      // Same request/upgrade handlers as the HTTPS server (express app and socket.io), no TLS.
      const forwarded = createServer();
      forwarded.on('request', (req, res) => httpServer.emit('request', req, res));
      forwarded.on('upgrade', (req, socket, head) => httpServer.emit('upgrade', req, socket, head));
      internalServer = forwarded;
      await listen(internalServer, 0, '127.0.0.1');
    }
  } catch (err) {
    plainServer?.close();
    internalServer?.close();
    httpServer.close();
    await sockets.close();
    command.close();
    if (ownsMedia) await media.close();
    await cluster?.close();
    store.close();
    throw err;
  }

  const { port } = httpServer.address() as AddressInfo;
  const host = isWildcard(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const internalUrl = internalServer ? `http://127.0.0.1:${(internalServer.address() as AddressInfo).port}` : url;
  const httpPort = plainServer ? (plainServer.address() as AddressInfo).port : null;
  const renewal =
    tls?.mode === 'auto'
      ? new CertificateRenewal({
          config,
          names: addresses.certificateNames,
          current: tls.cert,
          onRenewed: (material) => {
            (httpServer as unknown as HttpsServer).setSecureContext({
              key: material.key,
              cert: material.cert,
              minVersion: 'TLSv1.2',
            });
            turn?.updateCertificate(material).catch((err: unknown) => {
              logger.error({ err }, 'coturn did not restart with the renewed certificate');
            });
          },
        })
      : null;
  // After listening (a failed listen leaves no coturn behind); TURN's failure is logged, not thrown.
  await turn?.start();
  logger.info({ url, httpPort, tls: tls?.mode ?? 'off', dataDir: config.dataDir }, 'beacon listening');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // Disconnect sockets first (their cleanup still reaches rooms and store), then the rest.
    renewal?.stop();
    const socketsClosed = sockets.close();
    httpServer.closeAllConnections();
    for (const server of [plainServer, internalServer]) {
      server?.close();
      server?.closeAllConnections();
    }
    await socketsClosed;
    taps.close();
    command.close();
    rooms.close();
    journal.stop();
    await turn?.close();
    directory?.stop();
    await clusterPresence?.close();
    if (ownsMedia) await media.close();
    await cluster?.close();
    store.close();
    logger.info('beacon stopped');
  };

  return {
    url,
    port,
    internalUrl,
    httpPort,
    tls,
    addresses,
    cluster,
    store,
    media,
    rooms,
    tokens,
    sip,
    command,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
