/**
 * Starts one Beacon node: store → media → rooms → HTTP + socket.io. `close()`
 * undoes it in reverse so no socket outlives the rooms and no write outlives
 * the store.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type MediaControl, MediaServer } from '@beacon/media-server';
import { resolveJwtSecret, TokenService } from './auth/tokens.ts';
import { CommandRoom } from './command/CommandRoom.ts';
import type { Config } from './config.ts';
import { createApp } from './http/createApp.ts';
import { createLogger } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { MeetingJournal } from './rooms/MeetingJournal.ts';
import { RoomRegistry } from './rooms/RoomRegistry.ts';
import { SipBridge } from './sip/SipBridge.ts';
import { SipTaps } from './sip/SipTaps.ts';
import { createSocketServer } from './socket/createSocketServer.ts';
import { openStore, type Store } from './store/index.ts';

const logger = createLogger('server');

export interface StartBeaconOptions {
  config: Config;
  /** A media node to drive; default: an in-process MediaServer owned (and closed) by this node. */
  media?: MediaControl;
}

export interface BeaconNode {
  /** http://127.0.0.1:PORT when listening on all interfaces, else http://HOST:PORT. */
  url: string;
  port: number;
  store: Store;
  media: MediaControl;
  rooms: RoomRegistry;
  tokens: TokenService;
  /** The SIP gateway's side of this node: status, dial-outs, credentials. */
  sip: SipBridge;
  /** Incidents, warnings, tasks, presence (issue 5); tests drive escalation through it. */
  command: CommandRoom;
  close(): Promise<void>;
}

export async function startBeacon(opts: StartBeaconOptions): Promise<BeaconNode> {
  const { config } = opts;
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore({
    file: path.join(config.dataDir, 'beacon.sqlite'),
    seed: { demoPassword: config.demoPassword, sipRealm: config.sipRealm },
  });
  const tokens = new TokenService({ secret: resolveJwtSecret(config), ttlSeconds: config.jwtTtlSeconds });

  let media: MediaControl;
  try {
    media = opts.media ?? (await MediaServer.create(config.media));
  } catch (err) {
    store.close();
    throw err;
  }
  const ownsMedia = opts.media === undefined;

  const rooms = new RoomRegistry(media, { reconnectGraceMs: config.reconnectGraceMs });
  const journal = new MeetingJournal({ registry: rooms, store, media });
  const metrics = createMetricsRegistry({ media, rooms });
  const sip = new SipBridge({ store, realm: config.sipRealm });
  const taps = new SipTaps({ registry: rooms, media });
  const command = new CommandRoom({ store, registry: rooms, sip, escalationTickMs: config.escalationTickMs });
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
  });
  const httpServer = createServer(app);
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
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await sockets.close();
    command.close();
    if (ownsMedia) await media.close();
    store.close();
    throw err;
  }

  const { port } = httpServer.address() as AddressInfo;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = wildcard ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, dataDir: config.dataDir }, 'beacon listening');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // Disconnect sockets first (their cleanup still reaches rooms and store), then the rest.
    const socketsClosed = sockets.close();
    httpServer.closeAllConnections();
    await socketsClosed;
    taps.close();
    command.close();
    rooms.close();
    journal.stop();
    if (ownsMedia) await media.close();
    store.close();
    logger.info('beacon stopped');
  };

  return {
    url,
    port,
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
