/**
 * Starts one Beacon node: store → cluster → media → rooms → socket.io → HTTP,
 * each part registered in one Lifecycle. `close()` (and a failed start) stops
 * them in reverse so no socket outlives the rooms and no write outlives the
 * store.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Lifecycle } from '@beacon/common';
import type { MediaControl } from '@beacon/media-server';
import type { Express } from 'express';
import { AccountSessions } from './auth/AccountSessions.ts';
import { initialAdminSeed, retireInitialAdminPassword } from './auth/initialAdmin.ts';
import { signInLimits } from './auth/throttle/signInLimits.ts';
import { resolveJwtSecret, TokenService } from './auth/tokens.ts';
import { ClusterNode } from './cluster/ClusterNode.ts';
import { ClusterPresence } from './cluster/ClusterPresence.ts';
import { clusterKey } from './cluster/ClusterSeal.ts';
import { RoomOwnership } from './cluster/RoomOwnership.ts';
import { CommandRoom } from './command/CommandRoom.ts';
import type { Config } from './config.ts';
import { privateDir, privateFile, secureDataDir } from './dataDirAccess.ts';
import { GbService } from './gb28181/GbService.ts';
import { certificateHelpRouter, plainHttpApp } from './http/certificateHelp.ts';
import { createApp } from './http/createApp.ts';
import { RecordingLinks } from './http/recordingLinks.ts';
import { createLogger } from './logger.ts';
import { BeaconMetrics } from './metrics.ts';
import { isWildcard, type ResolvedAddresses, resolveAddresses } from './net/addresses.ts';
import { MeetingJournal } from './rooms/MeetingJournal.ts';
import { RoomRegistry } from './rooms/RoomRegistry.ts';
import { SipBridge } from './sip/SipBridge.ts';
import { SipTaps } from './sip/SipTaps.ts';
import { tapTargets } from './sip/tapTargets.ts';
import { SmsService } from './sms/SmsService.ts';
import { createSocketServer } from './socket/createSocketServer.ts';
import { startMedia } from './startMedia.ts';
import { StationService } from './stations/StationService.ts';
import { type OpenStoreOptions, openStore, type Store } from './store/index.ts';
import { INITIAL_ADMIN } from './store/seedAdmin.ts';
import { CertificateRenewal } from './tls/CertificateRenewal.ts';
import { prepareTls, type TlsMaterial } from './tls/serverTls.ts';
import { TurnService } from './turn/TurnService.ts';

const logger = createLogger('server');

export interface StartBeaconOptions {
  config: Config;
  /** A media node to drive; default: an in-process MediaServer owned (and closed) by this node. */
  media?: MediaControl;
  /**
   * Tests only (no setting reaches it): the seeded demo accounts need not
   * change the demo password at first sign-in. Default false.
   */
  demoPasswordChosen?: boolean;
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
  /** Warnings by SMS (BEACON_SMS=on): Kannel and the channel; null when off. */
  sms: SmsService | null;
  /** The GB/T 28181 platform (BEACON_GB28181=on), else null. */
  cameras: GbService | null;
  /** The express app: the fuzz (test/fuzz) lists every route from its router stack. */
  app: Express;
  /** Stops every part, newest first; idempotent. A part's failure to stop is logged, not thrown. */
  close(): Promise<void>;
}

export async function startBeacon(opts: StartBeaconOptions): Promise<BeaconNode> {
  const { config } = opts;
  await secureDataDir(config.dataDir);
  // Both checked before anything opens: a bad address or certificate must not leave a half-started node.
  const addresses = resolveAddresses(config);
  for (const warning of addresses.warnings) logger.warn(warning);
  const tls = await prepareTls(config, addresses.certificateNames);

  // Every part registers its stop as it starts: stop() (and a failed start) undoes them newest first,
  // so no socket outlives the rooms and no write outlives the store.
  const life = new Lifecycle({ name: 'beacon', logger });
  const sqliteFile = path.join(config.dataDir, 'beacon.sqlite');
  if (!config.databaseUrl) await privateFile(sqliteFile);
  const store = await life.start(
    'store',
    () =>
      openStore({
        file: sqliteFile,
        databaseUrl: config.databaseUrl,
        ...seedOptions(config, opts.demoPasswordChosen ?? false),
      }),
    (s) => s.close(),
  );
  if (config.demo) {
    logger.warn('演示数据 / demo data (BEACON_DEMO=on): the demo city and its accounts, for trying Beacon out only');
  }
  await retireUsedAdminPassword(store, config.dataDir);
  const jwtSecret = resolveJwtSecret(config);
  const tokens = new TokenService({ secret: jwtSecret, ttlSeconds: config.jwtTtlSeconds });
  // Redis first: a cluster node that cannot reach it must not start serving alone.
  const { cluster: clusterConfig } = config;
  const redisCa = config.redisCaFile ? await readFile(config.redisCaFile, 'utf8') : null;
  const cluster = clusterConfig
    ? await life.start(
        'cluster',
        () =>
          ClusterNode.connect({
            redisUrl: clusterConfig.redisUrl,
            key: clusterKey({ clusterSecret: clusterConfig.secret, jwtSecret }),
            redisCa,
            ...(clusterConfig.nodeId ? { nodeId: clusterConfig.nodeId } : {}),
          }),
        (c) => c.close(),
      )
    : null;
  // Declared before media: the cascade's placement looks peers up in it.
  let rooms: RoomRegistry | undefined;
  const media = await startMedia(
    life,
    opts,
    addresses,
    cluster,
    (roomId, peerId) => rooms?.get(roomId)?.get(peerId),
    store.audit,
  );

  rooms = new RoomRegistry(media, { reconnectGraceMs: config.reconnectGraceMs });
  const registry = rooms;
  life.add('rooms', () => registry.close());
  const journal = new MeetingJournal({ registry: rooms, store, media });
  life.add('meeting journal', () => journal.stop());
  const metrics = new BeaconMetrics({ media, rooms });
  const sip = new SipBridge({
    store,
    realm: config.sipRealm,
    upstream: config.upstream,
    // A link up wanted before a restart is redialled by the room's owner only (claimed here if nobody owns it).
    ...(cluster
      ? { ownsRoom: async (roomId: string) => (await new RoomOwnership(cluster).claim(roomId)) === cluster.nodeId }
      : {}),
  });
  await life.start('SIP phones', () => sip.loadPhones());
  const taps = new SipTaps({
    registry: rooms,
    media,
    targets: tapTargets(config.sipTapAllow),
    ports: config.sipRtpPorts,
  });
  life.add('SIP taps', () => taps.close());
  const command = new CommandRoom({
    store,
    registry: rooms,
    sip,
    escalationTickMs: config.escalationTickMs,
    metrics,
    duty: config.duty,
    dutyCalls: config.dutyCalls,
    reportsDir: path.join(config.dataDir, 'reports'),
    reports: config.reports,
    checklistTickMs: config.checklistTickMs,
    overdueCallRepeatMs: config.overdueCallRepeatMs,
    meetingsDir: path.join(config.dataDir, 'meetings'),
    meetings: config.meetings,
    loudspeakers: config.loudspeakers,
  });
  life.add('command room', () => command.close());
  const stations = new StationService({
    bus: command.bus,
    warnings: command.warnings,
    options: { ...config.stations, dataDir: config.dataDir },
    certificateNames: addresses.certificateNames,
  });
  await life.start(
    'monitoring stations',
    () => stations.start(),
    () => stations.stop(),
  );
  const accounts = new AccountSessions();
  accounts.on('revoke', ({ userId, reason }) => {
    if (reason === 'password_changed' && userId === INITIAL_ADMIN.id) retireInitialAdminPassword(config.dataDir);
  });
  const signIn = signInLimits(config, cluster, store);
  life.add('sign-in failure audit', () => signIn.failures.flush());
  const turn = config.turn.enabled
    ? new TurnService({ config, announcedAddress: addresses.mediaAnnounced, tls })
    : null;
  if (turn) life.add('TURN', () => turn.close());
  const sms = config.sms
    ? new SmsService({
        dataDir: config.dataDir,
        sms: config.sms,
        escalationTickMs: config.escalationTickMs,
        command,
        store,
      })
    : null;
  if (sms) life.add('SMS', () => sms.close());
  const gbConfig = config.gb28181;
  const cameras = gbConfig
    ? await life.start(
        'GB/T 28181 platform',
        async () => {
          const service = new GbService({ bus: command.bus, registry: rooms, media, options: gbConfig });
          await service.start();
          return service;
        },
        (service) => service.close(),
      )
    : null;
  const app = createApp({
    store,
    tokens,
    registry: rooms,
    media,
    metrics,
    metricsAccess: config.metrics,
    sip,
    command,
    accounts,
    ...signIn,
    consoleDist: config.consoleDist,
    demo: config.demo,
    settings: { map: config.map },
    turn,
    sms,
    hsts: tls?.hsts ?? false,
    before: tls ? [certificateHelpRouter({ tls, httpsPort: config.port })] : [],
    recordingLinks: new RecordingLinks({ secret: jwtSecret }),
    stations,
    cameras,
  });
  // TLS 1.2 is the floor: older versions have known breaks and every supported terminal browser speaks 1.2+.
  const httpServer: HttpServer = tls
    ? (createHttpsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, app) as unknown as HttpServer)
    : createServer(app);
  const recordingsDir = path.resolve(config.dataDir, 'recordings');
  await privateDir(recordingsDir);
  const sockets = createSocketServer({
    httpServer,
    tokens,
    registry: rooms,
    media,
    store,
    journal,
    sip,
    taps,
    command,
    accounts,
    turn,
    metrics,
    limits: config.limits,
    cluster: cluster ? { node: cluster, ownership: new RoomOwnership(cluster) } : null,
  });
  if (cluster) {
    const presence = new ClusterPresence(cluster, command.presence);
    await life.start(
      'cluster presence',
      () => presence.start(),
      () => presence.close(),
    );
  }
  // Socket.io closes the HTTP(S) server too; open connections (keep-alive, upgrades) are cut, not awaited.
  life.add('socket.io', () => {
    const closed = sockets.close();
    httpServer.closeAllConnections();
    return closed;
  });
  if (sockets.forwarded) {
    const forwardedRooms = sockets.forwarded;
    await life.start('forwarded rooms', () => forwardedRooms.start());
  }

  // coturn before anyone can sign in: a terminal that built its transports before TURN answered would have got
  // no relay. Its stop is registered above, so a failed listen leaves no coturn behind. TURN's failure is
  // logged, not thrown (the node serves without TURN; /readyz says so).
  await turn?.start();
  // Plain HTTP: the redirect/help port for browsers, and loopback for our own child services.
  await life.start('HTTP', () => listen(httpServer, config.port, config.host));
  let plainServer: HttpServer | null = null;
  let internalServer: HttpServer | null = null;
  if (tls) {
    const httpsPort = (httpServer.address() as AddressInfo).port;
    if (config.httpPort !== null) {
      const server = createServer(plainHttpApp({ tls, httpsPort }));
      plainServer = await life.start<HttpServer>(
        'plain HTTP',
        () => listen(server, config.httpPort as number, config.host).then(() => server),
        closeServer,
      );
    }
    // Same request/upgrade handlers as the HTTPS server (express app and socket.io), no TLS.
    const forwarded = createServer();
    forwarded.on('request', (req, res) => httpServer.emit('request', req, res));
    forwarded.on('upgrade', (req, socket, head) => httpServer.emit('upgrade', req, socket, head));
    internalServer = await life.start<HttpServer>(
      'internal HTTP',
      () => listen(forwarded, 0, '127.0.0.1').then(() => forwarded),
      closeServer,
    );
  }

  const { port } = httpServer.address() as AddressInfo;
  const host = isWildcard(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const internalUrl = internalServer ? `http://127.0.0.1:${(internalServer.address() as AddressInfo).port}` : url;
  const httpPort = plainServer ? (plainServer.address() as AddressInfo).port : null;
  if (tls?.mode === 'auto') {
    const renewal = new CertificateRenewal({
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
    });
    life.add('certificate renewal', () => renewal.stop());
  }
  // Kannel calls back over loopback plain HTTP (no certificate to trust); its failure is logged, not thrown.
  await sms?.start(internalUrl);
  logger.info({ url, httpPort, tls: tls?.mode ?? 'off', dataDir: config.dataDir }, 'beacon listening');

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
    sms,
    cameras,
    app,
    close: async () => {
      await life.stop();
    },
  };
}

/** Demo data (its accounts must change the published password), or only the admin with a one-time password. */
function seedOptions(config: Config, demoPasswordChosen: boolean): Pick<OpenStoreOptions, 'seed' | 'initialAdmin'> {
  if (!config.demo) return { initialAdmin: initialAdminSeed(config.dataDir) };
  return { seed: { demoPassword: config.demoPassword, sipRealm: config.sipRealm, demoPasswordChosen } };
}

/** The one-time password's file outlives its use when the admin changed it on another node, or while stopped. */
async function retireUsedAdminPassword(store: Store, dataDir: string): Promise<void> {
  const admin = await store.users.findById(INITIAL_ADMIN.id);
  if (admin && !admin.mustChangePassword) retireInitialAdminPassword(dataDir);
}

/** Stops accepting and cuts the open connections (keep-alive) instead of waiting for them. */
function closeServer(server: HttpServer): void {
  server.close();
  server.closeAllConnections();
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
