/**
 * The socket.io server of Beacon: JWT handshake, one handler per client
 * event, cleanup on disconnect, and the bridge from room/media events.
 */

import type { Server as HttpServer } from 'node:http';
import type { MediaControl } from '@beacon/media-server';
import type { ClientEventName } from '@beacon/protocol';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { type AccountSessions, tokenRoom, userRoom } from '../auth/AccountSessions.ts';
import { FailureAudit } from '../auth/throttle/FailureAudit.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { ClusterNode } from '../cluster/ClusterNode.ts';
import { type BaseContext, ForwardedRooms } from '../cluster/ForwardedRooms.ts';
import { GatewayRelay } from '../cluster/GatewayRelay.ts';
import type { RoomOwnership } from '../cluster/RoomOwnership.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { DutyCallEmitter } from '../duty/DutyCallEmitter.ts';
import { DutyEmitter } from '../duty/DutyEmitter.ts';
import { ChatBudget } from '../limits/ChatBudget.ts';
import { EventRateLimiter } from '../limits/EventRateLimiter.ts';
import { DEFAULT_LIMITS, type LimitsOptions } from '../limits/LimitsOptions.ts';
import { createLogger } from '../logger.ts';
import { BookedRecording } from '../meetings/BookedRecording.ts';
import { MeetingEmitter } from '../meetings/MeetingEmitter.ts';
import type { BeaconMetrics } from '../metrics.ts';
import { PlanEmitter } from '../plans/PlanEmitter.ts';
import { ReportEmitter } from '../reports/ReportEmitter.ts';
import { ResourceEmitter } from '../resources/ResourceEmitter.ts';
import type { MeetingJournal } from '../rooms/MeetingJournal.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { SipTaps } from '../sip/SipTaps.ts';
import type { Store } from '../store/index.ts';
import type { TurnService } from '../turn/TurnService.ts';
import { authenticate } from './authenticate.ts';
import { CommandEmitter } from './CommandEmitter.ts';
import { addEngineSecurityHeaders, addSocketPathSecurityHeaders } from './engineHeaders.ts';
import { FloodGuard } from './FloodGuard.ts';
import { handlers, socketGone } from './handlers/index.ts';
import { RoomBridge } from './RoomBridge.ts';
import { type OutcomeObserver, registerHandler } from './registerHandler.ts';
import { SipEmitter } from './SipEmitter.ts';
import { SocketSession } from './SocketSession.ts';
import { closeAtExpiry, stopExpiry } from './tokenLifetime.ts';
import type { BeaconServer, HandlerContext } from './types.ts';

const logger = createLogger('socket');

export interface SocketServerOptions {
  httpServer: HttpServer;
  tokens: TokenService;
  registry: RoomRegistry;
  media: MediaControl;
  store: Store;
  journal: MeetingJournal;
  sip: SipBridge;
  taps: SipTaps;
  command: CommandRoom;
  /** A disabled account's sockets are closed on every node. Default: none closed. */
  accounts?: AccountSessions | null;
  /** Hands TURN credentials out with transports; default none. */
  turn?: TurnService | null;
  /** Cluster mode (REDIS_URL): Redis adapter, rooms run on their owner node. Default: one node. */
  cluster?: { node: ClusterNode; ownership: RoomOwnership } | null;
  metrics: BeaconMetrics;
  /** Event rates, queue bounds, chat history bound (limits/LimitsOptions.ts). Default: DEFAULT_LIMITS. */
  limits?: LimitsOptions;
}

/**
 * Joins are counted where the client's socket is, once its ack is sent: in cluster
 * mode the join may run on the room's owner node, but it is this node that answers.
 */
function countJoins(metrics: BeaconMetrics): OutcomeObserver {
  return (event, error) => {
    if (event !== 'room:join') return;
    if (error) metrics.joinFailed(error.code);
    else metrics.joinSucceeded();
  };
}

export function createSocketServer(opts: SocketServerOptions): {
  io: BeaconServer;
  /** Cluster mode only: start it before accepting clients. */
  forwarded: ForwardedRooms | null;
  close(): Promise<void>;
} {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const rates = new EventRateLimiter(limits);
  const io: BeaconServer = new Server(opts.httpServer, {
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    // SDP-sized payloads are a few KB; 1 MB (the default) made explicit.
    maxHttpBufferSize: 1_000_000,
    serveClient: false,
    // A dropped terminal shows as `reconnecting` within ~13 s instead of socket.io's default ~45 s. The
    // timeout is not shorter: when a township's 300 kbit/s link overfills for the few seconds before the
    // receive budget answers, a third or more of its packets are dropped, and TCP's retransmission back-off
    // (0.5, 1, 2, 4 s) can hold one ping or pong for over 5 s on a link that is still up.
    pingInterval: 5_000,
    pingTimeout: 8_000,
  });
  // socket.io's own responses bypass express (and helmet): they get their own headers. engine.io's
  // `headers` event covers its handshakes and polls (and the websocket upgrade); a listener ahead of
  // engine.io's own covers its error answers (unknown session, bad transport) too.
  io.engine.on('headers', addEngineSecurityHeaders);
  opts.httpServer.prependListener('request', addSocketPathSecurityHeaders);
  if (opts.cluster) io.adapter(createAdapter(opts.cluster.node.adapterPub, opts.cluster.node.adapterSub));
  const base: BaseContext = {
    io,
    registry: opts.registry,
    store: opts.store,
    journal: opts.journal,
    media: opts.media,
    tokens: opts.tokens,
    sip: opts.sip,
    taps: opts.taps,
    command: opts.command,
    turn: opts.turn ?? null,
    metrics: opts.metrics,
    chatBudget: new ChatBudget(limits.chatPerMeeting),
  };
  // The gateway's socket may be on another node than a room's owner: the SIP bridges relay between nodes.
  const relay = opts.cluster ? new GatewayRelay({ ...opts.cluster, sip: opts.sip }) : null;
  const forwarded = opts.cluster ? new ForwardedRooms({ ...opts.cluster, base, relay }) : null;
  const dispatch = forwarded ? forwarded.dispatch.bind(forwarded) : undefined;
  const observe = countJoins(opts.metrics);
  const bridge = new RoomBridge({ io, registry: opts.registry, media: opts.media });
  const sipEmitter = new SipEmitter({ io, bridge: opts.sip, taps: opts.taps, registry: opts.registry });
  const commandEmitter = new CommandEmitter({ io, command: opts.command, localPresence: Boolean(opts.cluster) });
  const dutyEmitter = new DutyEmitter({ io, duty: opts.command.duty });
  const reportEmitter = new ReportEmitter({ io, desk: opts.command.reports });
  const planEmitter = new PlanEmitter({ io, desk: opts.command.responses });
  const resourceEmitter = new ResourceEmitter({ io, desk: opts.command.resources });
  const meetingEmitter = new MeetingEmitter({
    io,
    desk: opts.command.bookings,
    scheduler: opts.command.meetingScheduler,
  });
  const bookedRecording = new BookedRecording({
    registry: opts.registry,
    scheduler: opts.command.meetingScheduler,
    store: opts.store,
    journal: opts.journal,
  });
  const dutyCallEmitter = new DutyCallEmitter({ io, calls: opts.command.dutyCalls, registry: opts.registry });

  io.use(
    authenticate(
      opts.tokens,
      opts.store,
      new FailureAudit({ audit: opts.store.audit, action: 'socket.handshake_refused' }),
    ),
  );
  // Through the adapter: with Redis, sockets of the user on other nodes are closed too.
  const revoke = ({ userId, reason }: { userId: string; reason: string }) => {
    logger.info({ userId, reason }, 'closing the sockets of an account');
    io.in(userRoom(userId)).disconnectSockets(true);
  };
  opts.accounts?.on('revoke', revoke);
  const revokeToken = ({ tokenId, reason }: { tokenId: string; reason: string }) => {
    logger.info({ reason }, 'closing the sockets of a token');
    io.in(tokenRoom(tokenId)).disconnectSockets(true);
  };
  opts.accounts?.on('revokeToken', revokeToken);

  io.on('connection', (socket) => {
    const { claims } = socket.data;
    void socket.join(userRoom(claims.userId));
    const { tokenId } = socket.data.session;
    if (tokenId !== null) void socket.join(tokenRoom(tokenId));
    // The socket lives as long as its token, or a renewed one the client hands it (auth:renew).
    closeAtExpiry(socket);
    const session = new SocketSession(socket.id, claims);
    const log = logger.child({ socketId: socket.id, user: claims.username });
    const ctx: HandlerContext = { ...base, socket, session, log };
    log.debug('connected');
    sipEmitter.connected(socket);

    // The SIP gateway's service socket carries every call's events and is Beacon's own process: not rated.
    const service = claims.role === 'service';
    const guard = new FloodGuard({
      socket,
      session,
      rate: service ? null : rates.open(claims.userId),
      queueMax: service ? Number.POSITIVE_INFINITY : limits.queueMax,
      outboxMax: service ? Number.POSITIVE_INFINITY : limits.outboxMax,
      metrics: opts.metrics,
      log,
    });
    for (const event of Object.keys(handlers) as ClientEventName[]) {
      registerHandler(ctx, event, handlers[event] as never, dispatch, observe, guard);
    }
    // After the handlers: a terminal answering its pending alerts' banners at once is heard.
    commandEmitter.connected(socket);
    reportEmitter.connected(socket);

    socket.on('disconnect', (reason) => {
      stopExpiry(socket);
      guard.dispose();
      log.debug({ reason }, 'disconnected');
      sipEmitter.disconnected(socket);
      commandEmitter.disconnected(socket);
      // Queued behind any in-flight event, so a join that is still running completes and is then undone
      // (or, for a lost connection, held as `reconnecting`).
      const cleanup = async () => socketGone(ctx, reason);
      void session
        .run(() => (forwarded ? forwarded.disconnected(session, reason, cleanup) : cleanup()))
        .catch((err: unknown) => log.error({ err }, 'cleanup after disconnect failed'));
    });
  });

  return {
    io,
    forwarded,
    async close() {
      opts.httpServer.off('request', addSocketPathSecurityHeaders);
      opts.accounts?.off('revoke', revoke);
      opts.accounts?.off('revokeToken', revokeToken);
      bridge.close();
      sipEmitter.close();
      commandEmitter.close();
      dutyEmitter.close();
      reportEmitter.close();
      planEmitter.close();
      resourceEmitter.close();
      meetingEmitter.close();
      bookedRecording.close();
      dutyCallEmitter.close();
      // Disconnects every socket (each runs its cleanup), then closes the engine.
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      // After the sockets: their cleanup has sent its last requests to the rooms' nodes.
      await forwarded?.close();
    },
  };
}
