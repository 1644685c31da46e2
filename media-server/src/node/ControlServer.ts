/**
 * The network face of a media node: a socket.io server that answers control
 * calls (controlProtocol.ts), pushes media and pipe events, and sends a
 * heartbeat with the node's load every 2 s.
 *
 * Only signaling talks to it, authenticated by the pre-shared node key in
 * the handshake (`auth: { key }`) and, with `tls`, by mutual TLS first: the
 * port is HTTPS, and a connection without a client certificate of Beacon's
 * CA that names signaling (controlTlsNames.ts in @beacon/common) never gets
 * to the handshake.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { certificateUris, SIGNALING_CLIENT_URI } from '@beacon/common';
import { Server, type Socket } from 'socket.io';
import { ZodError } from 'zod';
import { PipeHub } from '../cascade/PipeHub.ts';
import { createLogger } from '../logger.ts';
import type { MediaControlEvents } from '../MediaControlTypes.ts';
import { MediaError } from '../MediaError.ts';
import type { MediaServer } from '../MediaServer.ts';
import { ClientPeers } from './ClientPeers.ts';
import { CpuSampler } from './CpuSampler.ts';
import { type ControlHandlers, createControlHandlers } from './controlHandlers.ts';
import {
  type ControlAck,
  type ControlMethod,
  controlMethods,
  HEARTBEAT_INTERVAL_MS,
  type NodeEventMessage,
  type NodeEvents,
  type NodeHeartbeat,
} from './controlProtocol.ts';

const logger = createLogger('ControlServer');

const MEDIA_EVENTS = [
  'consumerclosed',
  'consumerpaused',
  'consumerresumed',
  'consumerlayers',
  'activespeaker',
  'roomsrecreated',
  'recordingfailed',
  'keyframerequest',
] as const satisfies readonly (keyof MediaControlEvents)[];
const PIPE_EVENTS = ['pipeconsumerclosed', 'pipeconsumerpaused', 'pipeconsumerresumed'] as const;

export interface ControlServerOptions {
  nodeId: string;
  region: string;
  key: string;
  host: string;
  port: number;
  /** How long a vanished signaling client's peers are kept for its return. Default 15000 ms. */
  clientGraceMs?: number;
  /** Mutual TLS (PEM): the node's certificate and key, and the CA signaling's client certificate must chain to. */
  tls?: { cert: string; key: string; ca: string } | null;
  /**
   * Addresses / CIDR networks a cascade pipe may connect to, on top of the remote node's addresses signaling
   * names. Default: no restriction on top (PipeHub).
   */
  pipeAllow?: readonly string[];
}

export class ControlServer {
  readonly #media: MediaServer;
  readonly #options: ControlServerOptions;
  readonly #http: HttpServer;
  readonly #io: Server;
  readonly #pipes: PipeHub;
  readonly #handlers: ControlHandlers;
  readonly #cpu: CpuSampler;
  readonly #bootId = `${Date.now().toString(36)}-${process.pid}`;
  readonly #keyDigest: Buffer;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  readonly #clientPeers: ClientPeers;
  #lastHeartbeat: NodeHeartbeat | undefined;

  private constructor(media: MediaServer, options: ControlServerOptions) {
    this.#media = media;
    this.#options = options;
    this.#keyDigest = digest(options.key);
    this.#pipes = new PipeHub(media, {
      listenIp: media.options.listenIp,
      announcedAddress: media.options.announcedAddress,
      portRange: media.options.plainPortRange,
      ...(options.pipeAllow ? { allow: options.pipeAllow } : {}),
    });
    this.#handlers = createControlHandlers(media, this.#pipes);
    this.#clientPeers = new ClientPeers(
      media,
      options.clientGraceMs === undefined ? {} : { graceMs: options.clientGraceMs },
    );
    this.#cpu = new CpuSampler(() => media.workerPids());
    // TLS 1.2 is the floor, as on signaling's own HTTPS port. rejectUnauthorized: no certificate, no connection.
    this.#http = options.tls
      ? (createHttpsServer({
          ...options.tls,
          requestCert: true,
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2',
        }) as unknown as HttpServer)
      : createServer();
    // Signaling is the only client; a large consume answer (many codecs) fits easily in 10 MB.
    this.#io = new Server(this.#http, { maxHttpBufferSize: 10_000_000, transports: ['websocket'] });
    this.#io.use((socket, next) => {
      const key = (socket.handshake.auth as { key?: unknown }).key;
      if (options.tls && !presentsSignalingCertificate(socket)) {
        logger.warn({ address: socket.handshake.address }, 'control client without a signaling certificate refused');
        next(new Error('unauthorized'));
      } else if (typeof key === 'string' && timingSafeEqual(digest(key), this.#keyDigest)) next();
      else next(new Error('unauthorized'));
    });
    this.#io.on('connection', (socket) => this.#onConnection(socket));
    for (const name of MEDIA_EVENTS) media.on(name, (payload) => this.#push({ name, payload } as NodeEventMessage));
    for (const name of PIPE_EVENTS) {
      this.#pipes.on(name, (payload) => this.#push({ name, payload } as NodeEventMessage));
    }
  }

  static async start(media: MediaServer, options: ControlServerOptions): Promise<ControlServer> {
    const server = new ControlServer(media, options);
    await new Promise<void>((resolve, reject) => {
      server.#http.once('error', reject);
      server.#http.listen(options.port, options.host, () => {
        server.#http.off('error', reject);
        resolve();
      });
    });
    server.#heartbeatTimer = setInterval(
      () => server.#io.emit('heartbeat', server.#heartbeat()),
      HEARTBEAT_INTERVAL_MS,
    );
    logger.info({ nodeId: options.nodeId, region: options.region, port: server.port }, 'media node control listening');
    return server;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /**
   * Serves new TLS material (a renewed certificate) to new handshakes; open control connections, and so every
   * room and peer, stay as they are. Throws (and changes nothing) when the material is unusable: a key that is
   * not the certificate's, garbage PEM. Only on a TLS control port.
   */
  reloadTls(tls: { cert: string; key: string; ca: string }): void {
    if (!this.#options.tls) throw new MediaError('invalid_state', 'the control port has no TLS to reload');
    (this.#http as unknown as HttpsServer).setSecureContext({ ...tls, minVersion: 'TLSv1.2' });
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeatTimer);
    this.#clientPeers.close();
    await new Promise<void>((resolve) => this.#io.close(() => resolve()));
  }

  #onConnection(socket: Socket): void {
    logger.info({ socketId: socket.id, address: socket.handshake.address }, 'signaling connected');
    socket.emit('heartbeat', this.#lastHeartbeat ?? this.#heartbeat());
    // A stable id per signaling client (RemoteMediaControl), so its peers survive its reconnects.
    const offered = (socket.handshake.auth as { client?: unknown }).client;
    const clientId = typeof offered === 'string' && /^[\w-]{1,64}$/.test(offered) ? offered : socket.id;
    this.#clientPeers.connected(clientId);
    socket.on('call', (message: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      void this.#call(message, clientId).then((reply) => ack(reply));
    });
    socket.on('disconnect', (reason) => {
      logger.info({ socketId: socket.id, clientId, reason }, 'signaling disconnected');
      this.#clientPeers.disconnected(clientId);
    });
  }

  async #call(message: unknown, clientId: string): Promise<ControlAck<unknown>> {
    const { method, params } = (message ?? {}) as { method?: unknown; params?: unknown };
    if (typeof method !== 'string' || !Object.hasOwn(controlMethods, method)) {
      return fail('bad_request', `unknown method ${String(method)}`);
    }
    try {
      const name = method as ControlMethod;
      const parsed = controlMethods[name].parse(params);
      const { roomId, peerId } = parsed as { roomId?: unknown; peerId?: unknown };
      if (typeof roomId === 'string' && typeof peerId === 'string') {
        if (name === 'closePeer') this.#clientPeers.closed(clientId, roomId, peerId);
        else this.#clientPeers.touched(clientId, roomId, peerId);
      }
      const handler = this.#handlers[name] as (p: unknown) => unknown;
      return { ok: true, data: (await handler(parsed)) ?? null };
    } catch (error) {
      if (error instanceof MediaError) return fail(error.code, error.message);
      if (error instanceof ZodError) return fail('bad_request', error.issues.map((i) => i.message).join('; '));
      // mediasoup rejects bad parameters with TypeError.
      if (error instanceof TypeError) return fail('bad_request', error.message);
      logger.error({ err: error, method }, 'control call failed');
      return fail('internal', error instanceof Error ? error.message : String(error));
    }
  }

  #push(message: { name: keyof NodeEvents; payload: unknown }): void {
    this.#io.emit('event', message);
  }

  #heartbeat(): NodeHeartbeat {
    this.#lastHeartbeat = {
      nodeId: this.#options.nodeId,
      bootId: this.#bootId,
      region: this.#options.region,
      address: this.#media.options.announcedAddress,
      load: { ...this.#media.counts(), ...this.#pipes.counts(), cpuPercent: this.#cpu.sample() },
      sentAt: Date.now(),
    };
    return this.#lastHeartbeat;
  }
}

/**
 * The TLS layer already checked the chain to Beacon's CA and the clientAuth usage; this checks that the
 * certificate is the one made for signaling, not another leaf of the same CA.
 */
function presentsSignalingCertificate(socket: Socket): boolean {
  const tls = socket.request.socket as TLSSocket;
  if (typeof tls.getPeerCertificate !== 'function' || !tls.authorized) return false;
  return certificateUris(tls.getPeerCertificate().subjectaltname).includes(SIGNALING_CLIENT_URI);
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function fail(code: string, message: string): ControlAck<never> {
  return { ok: false, error: { code, message } };
}
