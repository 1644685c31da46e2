/**
 * Runs each room's events on the node that owns the room, whichever node the
 * client's socket reached. A load balancer may put the chair on node A and a
 * township on node B: B forwards the township's room events to A, A runs the
 * ordinary handler with a stand-in for B's socket (handlers use only the
 * socket's id; every emit goes through io.to(socketId), which the Redis
 * adapter delivers on B), and the ack travels back. Command-room and gateway
 * events (alerts, tasks, pulls, sip:*) stay on the node they reached: their
 * state is in the shared store.
 *
 *   client ──socket──▶ node B ──ClusterRpc──▶ node A (owner): handler(ctx for B's socket)
 *      ▲                                          │ io.to(socketId).emit(…)
 *      └────────── Redis adapter ◀────────────────┘
 *
 * When the owner dies, its rooms' participants on other nodes get
 * `room:recreated` and re-join; the first re-join claims the room anew.
 *
 * The gateway's room taps (`sip:tap`, `sip:untap`: the room's audio for the
 * phones' mix) name their room in the payload and run on that room's owner,
 * which has its media. Requests between the nodes' SIP bridges (`gateway:*`,
 * GatewayRelay.ts) share the same sealed channel.
 */

import { BeaconError, type ClientEventName, clientEventSchemas } from '@beacon/protocol';
import type { Logger } from 'pino';
import type { AuthClaims } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';
import { assertDeviceMayUse } from '../socket/deviceAccess.ts';
import { handlers, socketGone } from '../socket/handlers/index.ts';
import { SocketSession } from '../socket/SocketSession.ts';
import type { BeaconSocket, HandlerContext } from '../socket/types.ts';
import { parseOrBadRequest } from '../validation.ts';
import type { ClusterNode } from './ClusterNode.ts';
import { ClusterRpc, NodeGoneError } from './ClusterRpc.ts';
import { ForwardedTaps, isRoomAddressed } from './ForwardedTaps.ts';
import { type GatewayRelay, isRelayMessage } from './GatewayRelay.ts';
import type { RoomOwnership } from './RoomOwnership.ts';

const logger = createLogger('ForwardedRooms');

/** Events that never concern a conference room: they run where they arrive. */
const NODE_LOCAL_PREFIXES = ['alert:', 'task:', 'pull:', 'sip:', 'auth:'];

export function isRoomEvent(event: string): boolean {
  return !NODE_LOCAL_PREFIXES.some((prefix) => event.startsWith(prefix));
}

/** The node's services a handler context is made of (everything but the socket). */
export type BaseContext = Omit<HandlerContext, 'socket' | 'session' | 'log'>;

type Forwarded =
  | { kind: 'event'; socketId: string; claims: AuthClaims; event: ClientEventName; payload: unknown }
  | { kind: 'gone'; socketId: string; reason: string };

interface RemoteSocketState {
  session: SocketSession;
  ctx: HandlerContext;
  /** The node holding the socket. */
  nodeId: string;
}

export interface ForwardedRoomsOptions {
  node: ClusterNode;
  ownership: RoomOwnership;
  base: BaseContext;
  /** Maintenance (claim renewal, dead-owner check) period. Default 2000 ms. */
  tickMs?: number;
  /** The SIP bridges' relay (gateway on another node); started and closed with this. Default: none. */
  relay?: GatewayRelay | null;
}

export class ForwardedRooms {
  readonly #node: ClusterNode;
  readonly #ownership: RoomOwnership;
  readonly #base: BaseContext;
  readonly #remoteSockets = new Map<string, RemoteSocketState>();
  /** Local sockets whose room runs on another node. */
  readonly #away = new Map<string, { roomId: string; nodeId: string }>();
  readonly #owned = new Set<string>();
  readonly #taps: ForwardedTaps;
  readonly #relay: GatewayRelay | null;
  #rpc: ClusterRpc | null = null;
  #timer: NodeJS.Timeout | undefined;

  readonly #tickMs: number;

  constructor(opts: ForwardedRoomsOptions) {
    this.#node = opts.node;
    this.#ownership = opts.ownership;
    this.#base = opts.base;
    this.#tickMs = opts.tickMs ?? 2000;
    this.#relay = opts.relay ?? null;
    this.#taps = new ForwardedTaps(opts.node, opts.ownership);
  }

  /** Starts answering other nodes (before this node accepts clients). */
  async start(): Promise<void> {
    this.#rpc = await ClusterRpc.start(this.#node, (body, from) => this.#serve(body, from), {
      onRejected: (reason) => this.#base.metrics.clusterMessageRejected(reason),
    });
    this.#timer = setInterval(() => void this.#tick(), this.#tickMs);
    this.#timer.unref();
    const rpc = this.#rpc;
    await this.#relay?.start((nodeId, body) => rpc.request(nodeId, body));
    // Back from a Redis restart: re-claim this node's rooms before a join elsewhere claims them.
    this.#node.redis.on('ready', this.#onRedisReady);
  }

  readonly #onRedisReady = () => void this.#tick();

  /**
   * Runs `local` here when this node owns the event's room (or the event is
   * not a room event); otherwise forwards it to the owner and returns its result.
   */
  async dispatch(
    session: SocketSession,
    event: ClientEventName,
    payload: unknown,
    local: () => Promise<unknown>,
  ): Promise<unknown> {
    if (isRoomAddressed(event)) return this.#dispatchAddressed(session, event, payload, local);
    if (!isRoomEvent(event)) return local();
    const target = await this.#targetNode(session, event, payload);
    if (target === this.#node.nodeId) {
      const roomId = (payload as { roomId?: string }).roomId ?? session.currentRoomId();
      if (roomId) this.#owned.add(roomId);
      return local();
    }
    let result: unknown;
    try {
      result = await (this.#rpc as ClusterRpc).request(target, {
        kind: 'event',
        socketId: session.socketId,
        claims: session.claims,
        event,
        payload,
      } satisfies Forwarded);
    } catch (err) {
      // The owner's process is gone (its heartbeat has not expired yet): a participant re-joining or
      // resuming right now takes the room over instead of waiting for the heartbeat to run out.
      if (!(err instanceof NodeGoneError) || (event !== 'room:join' && event !== 'room:resume')) throw err;
      const roomId = (payload as { roomId: string }).roomId;
      if ((await this.#ownership.takeOver(roomId, target)) !== this.#node.nodeId) throw err;
      logger.warn({ roomId, deadNode: target }, 'took over a room from a node that is gone');
      this.#away.delete(session.socketId);
      this.#owned.add(roomId);
      return local();
    }
    this.#afterForward(session.socketId, event, payload, target);
    return result;
  }

  /** A gateway event for the room in its payload (ForwardedTaps.ts): on the room's live owner, else here. */
  async #dispatchAddressed(
    session: SocketSession,
    event: ClientEventName,
    payload: unknown,
    local: () => Promise<unknown>,
  ): Promise<unknown> {
    const owner = await this.#taps.target(payload);
    if (owner === null) return local();
    const { socketId, claims } = session;
    const forwarded: Forwarded = { kind: 'event', socketId, claims, event, payload };
    const result = await (this.#rpc as ClusterRpc).request(owner, forwarded);
    this.#taps.ran(socketId, event, owner);
    return result;
  }

  /** A local socket went away: clean up here, or on the node that runs its room. */
  async disconnected(session: SocketSession, reason: string, local: () => Promise<void>): Promise<void> {
    // Its room taps on other nodes end with it.
    for (const nodeId of this.#taps.release(session.socketId)) {
      await (this.#rpc as ClusterRpc)
        .request(nodeId, { kind: 'gone', socketId: session.socketId, reason } satisfies Forwarded)
        .catch(() => undefined);
    }
    const away = this.#away.get(session.socketId);
    if (!away) return local();
    this.#away.delete(session.socketId);
    await (this.#rpc as ClusterRpc)
      .request(away.nodeId, { kind: 'gone', socketId: session.socketId, reason } satisfies Forwarded)
      .catch((err: unknown) => logger.debug({ err: (err as Error).message }, 'owner gone; nothing to clean up there'));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#node.redis.off('ready', this.#onRedisReady);
    await this.#relay?.close();
    await this.#rpc?.close();
    for (const roomId of this.#owned) await this.#ownership.release(roomId).catch(() => undefined);
  }

  async #targetNode(session: SocketSession, event: ClientEventName, payload: unknown): Promise<string> {
    if (event === 'room:join' || event === 'room:resume') {
      const roomId = (payload as { roomId: string }).roomId;
      const owner = await this.#ownership.claim(roomId);
      const away = this.#away.get(session.socketId);
      if (away && (away.roomId !== roomId || away.nodeId !== owner)) {
        // Joining elsewhere: leave the old room on its node first, as a local join would.
        await (this.#rpc as ClusterRpc)
          .request(away.nodeId, {
            kind: 'event',
            socketId: session.socketId,
            claims: session.claims,
            event: 'room:leave',
            payload: {},
          })
          .catch(() => undefined);
        this.#away.delete(session.socketId);
      }
      return owner;
    }
    return this.#away.get(session.socketId)?.nodeId ?? this.#node.nodeId;
  }

  #afterForward(socketId: string, event: ClientEventName, payload: unknown, nodeId: string): void {
    if (event === 'room:join' || event === 'room:resume') {
      this.#away.set(socketId, { roomId: (payload as { roomId: string }).roomId, nodeId });
    } else if (event === 'room:leave') {
      this.#away.delete(socketId);
    }
  }

  /** Owner side: runs a forwarded event for another node's socket. */
  async #serve(body: unknown, from: string): Promise<unknown> {
    if (isRelayMessage(body)) {
      if (!this.#relay) throw new BeaconError('bad_request', 'this node relays no gateway requests');
      return this.#relay.serve(body, from);
    }
    const request = body as Forwarded;
    if (request.kind === 'gone') {
      // Its room taps here end with it (a gateway socket on another node).
      this.#base.taps.closeSocket(request.socketId);
      const state = this.#remoteSockets.get(request.socketId);
      if (!state) return null;
      this.#remoteSockets.delete(request.socketId);
      await state.session.run(async () => socketGone(state.ctx, request.reason));
      return null;
    }
    const { event } = request;
    if (!(event in handlers) || !(isRoomEvent(event) || isRoomAddressed(event))) {
      throw new BeaconError('bad_request', `not a room event: ${event}`);
    }
    const payload = parseOrBadRequest(clientEventSchemas[event], request.payload, event);
    // The same check as where the socket is: a room tap is the gateway's only.
    assertDeviceMayUse(request.claims, event);
    const state = this.#remoteState(request.socketId, request.claims, from);
    if (event === 'room:join' || event === 'room:resume') this.#owned.add((payload as { roomId: string }).roomId);
    return state.session.run(() =>
      (handlers[event] as (ctx: HandlerContext, p: unknown) => Promise<unknown>)(state.ctx, payload),
    );
  }

  #remoteState(socketId: string, claims: AuthClaims, from: string): RemoteSocketState {
    let state = this.#remoteSockets.get(socketId);
    if (!state) {
      const session = new SocketSession(socketId, claims);
      // Handlers read only `socket.id` (and claims through the session); emits go through io.to(id).
      const socket = { id: socketId, data: { claims } } as unknown as BeaconSocket;
      const log: Logger = logger.child({ socketId, user: claims.username, via: from });
      state = { session, ctx: { ...this.#base, socket, session, log }, nodeId: from };
      this.#remoteSockets.set(socketId, state);
    }
    return state;
  }

  /**
   * Another node claimed a room this node still runs (its claim vanished with a
   * Redis restart and a join elsewhere came first). Two copies of one meeting
   * must not go on: this copy closes and its participants re-join, which puts
   * them on the new owner.
   */
  #handOver(roomId: string): void {
    logger.warn({ roomId }, 'room claim lost to another node; moving its participants there');
    this.#owned.delete(roomId);
    for (const participant of this.#base.registry.dropRooms([roomId])) {
      this.#base.io.to(participant.socketId).emit('room:recreated', { roomId });
    }
  }

  /** Renews this node's room claims; tells local sockets whose room's owner died to re-join. */
  async #tick(): Promise<void> {
    try {
      for (const roomId of [...this.#owned]) {
        const room = this.#base.registry.get(roomId);
        if (!room || room.participants().length === 0) {
          this.#owned.delete(roomId);
          await this.#ownership.release(roomId);
        }
      }
      const lost = await this.#ownership.renew(this.#owned);
      for (const roomId of lost) this.#handOver(roomId);
      const owners = new Set([...this.#away.values()].map((away) => away.nodeId));
      for (const nodeId of owners) {
        if (!(await this.#node.isDead(nodeId))) continue;
        logger.warn({ nodeId }, 'the node running these rooms died; asking their participants here to re-join');
        for (const [socketId, away] of [...this.#away]) {
          if (away.nodeId !== nodeId) continue;
          this.#away.delete(socketId);
          this.#base.io.to(socketId).emit('room:recreated', { roomId: away.roomId });
        }
      }
      // Sockets held by a node that died can never send `gone`: treat them as lost connections
      // (reconnecting, then left after the grace period, unless the client resumes through another node).
      const holders = new Set([...this.#remoteSockets.values()].map((state) => state.nodeId));
      for (const nodeId of holders) {
        if (!(await this.#node.isDead(nodeId))) continue;
        for (const [socketId, state] of [...this.#remoteSockets]) {
          if (state.nodeId !== nodeId) continue;
          this.#remoteSockets.delete(socketId);
          this.#base.taps.closeSocket(socketId);
          await state.session.run(async () => socketGone(state.ctx, 'transport close'));
        }
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'cluster maintenance failed (Redis down?)');
    }
  }
}
