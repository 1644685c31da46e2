/**
 * The calls signaling asks gateways for — phone dial-outs and each room's
 * link up — and where their progress goes. A call goes to the gateway
 * connected to this node, or (cluster) to another node's gateway through the
 * relay (remoteGateways.ts); progress of a call this node's gateway makes for
 * another node goes back there. Part of the SIP bridge (SipBridge.ts), which
 * owns the gateway sockets and the links.
 */
import { randomUUID } from 'node:crypto';
import type { DialRequest, DialState, UpstreamControl, UpstreamDialRequest } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { BoundedMap, type GatewayRoute, type RelayMessage, type RemoteGateways } from './remoteGateways.ts';
import type { DialRecord, SipBridgeEvents } from './SipBridge.ts';
import type { UpstreamLinks } from './upstream/UpstreamLinks.ts';

const logger = createLogger('GatewayCalls');

/** States after which nothing more is reported for a call. */
const FINAL: ReadonlySet<DialState> = new Set(['busy', 'no_answer', 'failed', 'ended']);
/** Calls remembered at most (a gateway that never reports must not grow these forever). */
const MAX_CALLS = 1000;

type CallEvent = 'dial' | 'dialstate' | 'upstream' | 'upstreamcontrol';

/** What the calls need of the bridge. */
export interface GatewayCallsHost {
  /** The gateway socket that connected here last and whether it can take calls; null: none connected. */
  newestGateway(): { socketId: string; available: boolean } | null;
  hasGateway(socketId: string): boolean;
  readonly upstream: UpstreamLinks;
  emit<K extends CallEvent>(event: K, ...args: SipBridgeEvents[K]): void;
}

export class GatewayCalls {
  readonly #host: GatewayCallsHost;
  readonly #dials = new BoundedMap<string, DialRecord>(MAX_CALLS);
  /** Upstream calls in flight → the gateway that holds them (controls go there): a local socket or another node. */
  readonly #upstreamCalls = new BoundedMap<string, GatewayRoute>(MAX_CALLS);
  /** Calls this node's gateway makes or took for a room another node drives → that node (progress goes there). */
  readonly #relayed = new BoundedMap<string, string>(MAX_CALLS);
  /** Cluster mode: gateways connected to other nodes. */
  #remote: RemoteGateways | null = null;

  constructor(host: GatewayCallsHost) {
    this.#host = host;
  }

  /** A gateway can take calls here or, in a cluster, on another node. */
  get canCall(): boolean {
    return this.#route() !== null;
  }

  useCluster(remote: RemoteGateways): void {
    this.#remote = remote;
  }

  /**
   * Where a call goes now: the gateway that connected here last (the live one after a restart) when it can
   * take calls, else (cluster) another node's gateway; null: none can. `anyLocal`: a local gateway still
   * starting will do when no other node's can (what callers that checked `available` first always had).
   */
  #route(anyLocal = false): GatewayRoute | null {
    const newest = this.#host.newestGateway();
    const socketId = newest?.socketId;
    if (socketId && newest.available) return { socketId };
    const nodeId = this.#remote?.gatewayNode() ?? null;
    if (nodeId !== null) return { nodeId };
    return socketId && anyLocal ? { socketId } : null;
  }

  /** Sends the request to a gateway that can take it (here or on another node); null: none can. */
  dial(input: Omit<DialRequest, 'requestId'>, diallerSocketId: string): DialRequest | null {
    const route = this.#route(true);
    if (!route) return null;
    const request: DialRequest = { requestId: randomUUID(), ...input };
    this.#dials.set(request.requestId, {
      requestId: request.requestId,
      roomId: request.roomId,
      extension: request.extension,
      diallerSocketId,
    });
    if ('socketId' in route) this.#host.emit('dial', { gatewaySocketId: route.socketId, request });
    else
      this.#relay(route.nodeId, { kind: 'gateway:dial', request }, () =>
        this.dialState(request.requestId, 'failed', 'sip_unavailable'),
      );
    return request;
  }

  /** Relays the gateway's progress report; false for an unknown (or finished) request. */
  dialState(requestId: string, state: DialState, reason: string | null): boolean {
    if (this.#relayState(requestId, state, reason)) return true;
    const record = this.#dials.get(requestId);
    if (!record) return false;
    if (FINAL.has(state)) this.#dials.delete(requestId);
    this.#host.emit('dialstate', { record, state, reason });
    return true;
  }

  /** Sends an upstream dial to a gateway that can take it (here or on another node); null when none can. */
  dialUpstream(input: Omit<UpstreamDialRequest, 'requestId'>): { requestId: string } | null {
    const route = this.#route();
    if (!route) return null;
    const request: UpstreamDialRequest = { requestId: randomUUID(), ...input };
    this.#upstreamCalls.set(request.requestId, route);
    if ('socketId' in route) this.#host.emit('upstream', { gatewaySocketId: route.socketId, request });
    else
      this.#relay(route.nodeId, { kind: 'gateway:upstream', request }, () =>
        this.upstreamState(request.requestId, 'failed', 'sip_unavailable'),
      );
    return { requestId: request.requestId };
  }

  /** Sends a control to the gateway holding the upstream call (nothing if it is gone). */
  controlUpstream(control: UpstreamControl): void {
    const route = this.#upstreamCalls.get(control.requestId);
    if (!route) return;
    if ('socketId' in route && !this.#host.hasGateway(route.socketId)) return;
    if (control.action === 'hangup') this.#upstreamCalls.delete(control.requestId);
    if ('socketId' in route) this.#host.emit('upstreamcontrol', { gatewaySocketId: route.socketId, control });
    else this.#relay(route.nodeId, { kind: 'gateway:upstreamControl', control });
  }

  /**
   * The upstream conference (its source already checked) called a room's number from the gateway on
   * `gatewaySocketId`: the call becomes the link of the node that drives the room. Null when that link
   * does not take it (the caller then keys the PIN like anyone).
   */
  async acceptUpstream(gatewaySocketId: string, roomId: string, source: string): Promise<{ requestId: string } | null> {
    const requestId = randomUUID();
    // Recorded first: the room's driver may send a control (mute) for the call before it answers.
    this.#upstreamCalls.set(requestId, { socketId: gatewaySocketId });
    const remote = this.#remote;
    const driver = remote ? await remote.roomDriver(roomId) : null;
    if (remote && driver !== null && driver !== remote.nodeId) {
      // Another node runs the room: its link takes the call, so the room never has two drivers.
      this.#relayed.set(requestId, driver);
      const answer = await remote
        .send(driver, { kind: 'gateway:upstreamIn', requestId, roomId, source })
        .catch((err: unknown) => {
          logger.warn({ err: (err as Error).message, roomId, driver }, 'the room’s node did not take the call in');
          return null;
        });
      if ((answer as { accepted?: unknown } | null)?.accepted === true) return { requestId };
      this.#relayed.delete(requestId);
      this.#upstreamCalls.delete(requestId);
      return null;
    }
    if (!this.#host.upstream.incoming(roomId, requestId)) {
      this.#upstreamCalls.delete(requestId);
      return null;
    }
    return { requestId };
  }

  /** Progress of an upstream call, to its room's link; false for an unknown request. */
  upstreamState(requestId: string, state: DialState, reason: string | null): boolean {
    if (this.#relayState(requestId, state, reason)) return true;
    if (!this.#upstreamCalls.has(requestId)) return false;
    if (FINAL.has(state)) this.#upstreamCalls.delete(requestId);
    this.#host.upstream.callState(requestId, state, reason);
    return true;
  }

  /**
   * Another node's bridge asks (cluster, sealed and checked by cluster/GatewayRelay.ts): run a call on this
   * node's gateway for a room it drives, take progress of a call it asked for, or take the upstream's call-in
   * for its room. Resolves the answer to send back; `sip_unavailable` when this node's gateway is gone.
   */
  async serve(from: string, message: RelayMessage): Promise<unknown> {
    switch (message.kind) {
      case 'gateway:dial':
      case 'gateway:upstream': {
        const socketId = this.#host.newestGateway()?.socketId;
        if (!socketId || !this.#host.newestGateway()?.available) {
          throw new BeaconError('sip_unavailable', '电话网关不可用 / the phone gateway is not available');
        }
        this.#relayed.set(message.request.requestId, from);
        if (message.kind === 'gateway:dial')
          this.#host.emit('dial', { gatewaySocketId: socketId, request: message.request });
        else {
          this.#upstreamCalls.set(message.request.requestId, { socketId });
          this.#host.emit('upstream', { gatewaySocketId: socketId, request: message.request });
        }
        return {};
      }
      case 'gateway:upstreamControl':
        this.controlUpstream(message.control);
        return {};
      case 'gateway:callState': {
        const { requestId, state, reason } = message;
        return { known: this.dialState(requestId, state, reason) || this.upstreamState(requestId, state, reason) };
      }
      case 'gateway:upstreamIn': {
        const { requestId, roomId } = message;
        this.#upstreamCalls.set(requestId, { nodeId: from });
        if (this.#host.upstream.incoming(roomId, requestId)) return { accepted: true };
        this.#upstreamCalls.delete(requestId);
        return { accepted: false };
      }
    }
  }

  /**
   * Cluster upkeep: calls held by a gateway on a node that died are over (their link redials); calls this
   * node's gateway holds for a node that died are hung up (nobody drives them any more).
   */
  async sweep(): Promise<void> {
    const remote = this.#remote;
    if (!remote) return;
    for (const [requestId, route] of [...this.#upstreamCalls]) {
      if ('nodeId' in route && (await remote.isDead(route.nodeId))) {
        this.upstreamState(requestId, 'failed', 'gateway_lost');
      }
    }
    for (const [requestId, origin] of [...this.#relayed]) {
      if (!(await remote.isDead(origin))) continue;
      this.#relayed.delete(requestId);
      if (this.#upstreamCalls.has(requestId)) this.controlUpstream({ requestId, action: 'hangup' });
    }
  }

  /** Sends a message to another node's bridge; `refused` runs when it was not taken. */
  #relay(nodeId: string, message: RelayMessage, refused?: () => void): void {
    (this.#remote as RemoteGateways).send(nodeId, message).catch((err: unknown) => {
      logger.warn({ err: (err as Error).message, nodeId, kind: message.kind }, 'gateway request not relayed');
      refused?.();
    });
  }

  /** Progress of a call made for another node: sent there; false when the call is this node's own. */
  #relayState(requestId: string, state: DialState, reason: string | null): boolean {
    const origin = this.#relayed.get(requestId);
    if (origin === undefined) return false;
    if (FINAL.has(state)) {
      this.#relayed.delete(requestId);
      this.#upstreamCalls.delete(requestId);
    }
    this.#relay(origin, { kind: 'gateway:callState', requestId, state, reason });
    return true;
  }
}
