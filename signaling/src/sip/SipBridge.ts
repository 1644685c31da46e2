/**
 * What signaling knows about the SIP side: which gateway sockets are
 * connected, the gateway's last report (Kamailio, registrations, calls), and
 * the dial-outs in flight. Browser-facing status merges that report with the
 * store's SIP phones.
 *
 * Does not know socket.io (LiveKit-style manager): what must be sent leaves
 * as typed events; socket/SipEmitter.ts turns them into emits.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import type {
  AlertCallRequest,
  BroadcastRequest,
  ClientPayload,
  DialRequest,
  DialState,
  PhoneRegistration,
  SipStatus,
  TerminalView,
  UpstreamControl,
  UpstreamDialRequest,
} from '@beacon/protocol';
import { BeaconError, takesCalls } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import { BoundedMap, type GatewayRoute, type RelayMessage, type RemoteGateways } from './remoteGateways.ts';
import { UpstreamLinks, type UpstreamTarget } from './upstream/UpstreamLinks.ts';

const logger = createLogger('SipBridge');

type StatusReport = ClientPayload<'sip:status'>;

/** A dial-out in flight: who asked, so its progress reaches them. */
export interface DialRecord {
  requestId: string;
  roomId: string;
  extension: string;
  /** The console socket that dialled. */
  diallerSocketId: string;
}

export type SipBridgeEvents = {
  /** Availability or registrations changed: to staff sockets. */
  status: [SipStatus];
  /** Ask this gateway socket to call a phone into a room. */
  dial: [{ gatewaySocketId: string; request: DialRequest }];
  /** Progress of a dial-out: to the dialler and the room's chairs. */
  dialstate: [{ record: DialRecord; state: DialState; reason: string | null }];
  /** Phone credentials changed: every gateway resyncs Kamailio's subscribers. */
  credentials: [];
  /** Ask this gateway socket to read an alert to a township's phone. */
  alertcall: [{ gatewaySocketId: string; request: AlertCallRequest }];
  /** Ask this gateway socket to call a loudspeaker and play a broadcast. */
  broadcast: [{ gatewaySocketId: string; request: BroadcastRequest }];
  /** Ask this gateway socket to dial a room's upstream conference (上联). */
  upstream: [{ gatewaySocketId: string; request: UpstreamDialRequest }];
  /** Hang up, mute or unmute an upstream call on the gateway that dialled it. */
  upstreamcontrol: [{ gatewaySocketId: string; control: UpstreamControl }];
};

/** States after which nothing more is reported for a dial-out. */
const FINAL: ReadonlySet<DialState> = new Set(['busy', 'no_answer', 'failed', 'ended']);
/** Dial-outs remembered at most (a gateway that never reports must not grow this forever). */
const MAX_DIALS = 1000;

export interface SipBridgeOptions {
  store: Store;
  /** SIP digest realm of the phones (config BEACON_SIP_REALM). */
  realm: string;
  /** The deployment's upstream conference (config BEACON_UPSTREAM_URI); null or absent: rooms cannot link up. */
  upstream?: UpstreamTarget | null;
  /**
   * Whether this node drives a room (in a cluster: it is, or now becomes, the room's owner); a link up the
   * chair wanted before a restart is redialled only there. Absent: a single node drives every room.
   */
  ownsRoom?: (roomId: string) => Promise<boolean>;
}

export class SipBridge extends TypedEmitter<SipBridgeEvents> {
  readonly realm: string;
  /** Each room's link up to the upstream conference. */
  readonly upstream: UpstreamLinks;
  readonly #store: Store;
  /** Upstream calls in flight → the gateway that holds them (controls go there): a local socket or another node. */
  readonly #upstreamCalls = new BoundedMap<string, GatewayRoute>(MAX_DIALS);
  /** Calls this node's gateway makes or took for a room another node drives → that node (progress goes there). */
  readonly #relayed = new BoundedMap<string, string>(MAX_DIALS);
  /** Cluster mode: gateways connected to other nodes (set by useCluster). */
  #remote: RemoteGateways | null = null;
  readonly #ownsRoom: ((roomId: string) => Promise<boolean>) | undefined;
  #linksRestored = false;
  /** Connected gateway sockets, oldest first. */
  readonly #gateways = new Set<string>();
  #report: { socketId: string; data: StatusReport } | null = null;
  readonly #dials = new BoundedMap<string, DialRecord>(MAX_DIALS);
  /**
   * The store's SIP phones, read by `loadPhones`: status() is asked synchronously on every
   * presence change, and terminals change only with the seed (no API adds or moves one).
   */
  #phones: TerminalView[] = [];
  /**
   * Loudspeaker extensions (应急广播). They register like phones but are kept out of the phone
   * registrations: whatever looks for a township's desk phone there must never ring a loudspeaker.
   */
  #loudspeakers = new Set<string>();

  constructor(opts: SipBridgeOptions) {
    super();
    this.#store = opts.store;
    this.realm = opts.realm;
    this.upstream = new UpstreamLinks({ target: opts.upstream ?? null, sip: this, store: opts.store });
    this.#ownsRoom = opts.ownsRoom;
  }

  /** Reads the store's SIP phones; call once before serving (status lists no phones until then). */
  async loadPhones(): Promise<void> {
    const terminals = await this.#store.terminals.list();
    this.#phones = terminals.filter((t) => takesCalls(t.kind) && t.extension !== null);
    this.#loudspeakers = new Set(
      terminals.flatMap((t) => (t.kind === 'loudspeaker' && t.extension !== null ? [t.extension] : [])),
    );
  }

  /**
   * A gateway is connected and has said its Kamailio runs. Until its first
   * report it is still starting (its user agent may not be registered with
   * Kamailio yet: calls would get 503), so not available.
   */
  get available(): boolean {
    return this.#unavailableReason() === null;
  }

  /** A gateway can take calls here or, in a cluster, on another node (dial-outs and links are relayed there). */
  get canCall(): boolean {
    return this.#route() !== null;
  }

  /** Cluster mode: reach gateways connected to other nodes when this node has none. */
  useCluster(remote: RemoteGateways): void {
    this.#remote = remote;
  }

  /** Cluster: another node's gateway became reachable; links wanted before a restart can be redialled now. */
  remoteGatewayAvailable(): void {
    this.#restoreLinksOnce();
  }

  gatewayConnected(socketId: string): void {
    this.#gateways.add(socketId);
    logger.info({ socketId, gateways: this.#gateways.size }, 'SIP gateway connected');
    this.safeEmit('status', this.status());
  }

  gatewayDisconnected(socketId: string): void {
    if (!this.#gateways.delete(socketId)) return;
    // Its registrations and calls are no longer known to be true.
    if (this.#report?.socketId === socketId) this.#report = null;
    logger.info({ socketId, gateways: this.#gateways.size }, 'SIP gateway disconnected');
    this.safeEmit('status', this.status());
  }

  report(socketId: string, data: StatusReport): void {
    this.#report = { socketId, data };
    this.safeEmit('status', this.status());
    this.#restoreLinksOnce();
  }

  /**
   * The first time a gateway can take calls after this node started: redial the links up the chairs wanted
   * before (a restart). Not earlier — every try without a gateway would count toward giving up.
   */
  #restoreLinksOnce(): void {
    if (this.#linksRestored || !this.canCall) return;
    this.#linksRestored = true;
    this.upstream
      .restore(this.#ownsRoom)
      .catch((err: unknown) => logger.error({ err }, 'links up not restored after the start'));
  }

  status(): SipStatus {
    const reason = this.#unavailableReason();
    return { available: reason === null, reason, registrations: this.#registrations() };
  }

  /** Null when phones can be served; else why not (without building the registration list). */
  #unavailableReason(): string | null {
    if (this.#gateways.size === 0) return 'gateway_not_connected';
    if (!this.#report) return 'gateway_starting';
    if (this.#report.data.kamailio === 'unavailable') return this.#report.data.reason ?? 'kamailio_unavailable';
    return null;
  }

  /**
   * Where a call goes now: the gateway that connected here last (the live one after a restart) when it can
   * take calls, else (cluster) another node's gateway; null: none can. `anyLocal`: a local gateway still
   * starting will do when no other node's can (what callers that checked `available` first always had).
   */
  #route(anyLocal = false): GatewayRoute | null {
    const socketId = [...this.#gateways].at(-1);
    if (socketId && this.available) return { socketId };
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
    if ('socketId' in route) this.safeEmit('dial', { gatewaySocketId: route.socketId, request });
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
    this.safeEmit('dialstate', { record, state, reason });
    return true;
  }

  /** Sends an upstream dial to a gateway that can take it (here or on another node); null when none can. */
  dialUpstream(input: Omit<UpstreamDialRequest, 'requestId'>): { requestId: string } | null {
    const route = this.#route();
    if (!route) return null;
    const request: UpstreamDialRequest = { requestId: randomUUID(), ...input };
    this.#upstreamCalls.set(request.requestId, route);
    if ('socketId' in route) this.safeEmit('upstream', { gatewaySocketId: route.socketId, request });
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
    if ('socketId' in route && !this.#gateways.has(route.socketId)) return;
    if (control.action === 'hangup') this.#upstreamCalls.delete(control.requestId);
    if ('socketId' in route) this.safeEmit('upstreamcontrol', { gatewaySocketId: route.socketId, control });
    else this.#relay(route.nodeId, { kind: 'gateway:upstreamControl', control });
  }

  /**
   * The upstream conference called a room's number from the gateway on `gatewaySocketId` (the gateway checked
   * the source is a trusted peer; the link checks it is the upstream's address): the call becomes the room's
   * link. Null when it is not the upstream (the caller then keys the PIN like anyone).
   */
  async acceptUpstream(gatewaySocketId: string, roomId: string, source: string): Promise<{ requestId: string } | null> {
    if (!this.#gateways.has(gatewaySocketId) || !(await this.upstream.isUpstreamSource(source))) return null;
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
    if (!this.upstream.incoming(roomId, requestId)) {
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
    this.upstream.callState(requestId, state, reason);
    return true;
  }

  /**
   * Another node's bridge asks (cluster, sealed and checked by cluster/GatewayRelay.ts): run a call on this
   * node's gateway for a room it drives, take progress of a call it asked for, or take the upstream's call-in
   * for its room. Resolves the answer to send back; `sip_unavailable` when this node's gateway is gone.
   */
  async serveRelay(from: string, message: RelayMessage): Promise<unknown> {
    switch (message.kind) {
      case 'gateway:dial':
      case 'gateway:upstream': {
        const socketId = [...this.#gateways].at(-1);
        if (!socketId || !this.available) {
          throw new BeaconError('sip_unavailable', '电话网关不可用 / the phone gateway is not available');
        }
        this.#relayed.set(message.request.requestId, from);
        if (message.kind === 'gateway:dial') this.safeEmit('dial', { gatewaySocketId: socketId, request: message.request });
        else {
          this.#upstreamCalls.set(message.request.requestId, { socketId });
          this.safeEmit('upstream', { gatewaySocketId: socketId, request: message.request });
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
        if (this.upstream.incoming(roomId, requestId)) return { accepted: true };
        this.#upstreamCalls.delete(requestId);
        return { accepted: false };
      }
    }
  }

  /**
   * Cluster upkeep: calls held by a gateway on a node that died are over (their link redials); calls this
   * node's gateway holds for a node that died are hung up (nobody drives them any more).
   */
  async sweepRemote(): Promise<void> {
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

  /** Sends an alert call to the live gateway; false when no gateway can take it. */
  alertCall(request: AlertCallRequest): boolean {
    const gatewaySocketId = [...this.#gateways].at(-1);
    if (!gatewaySocketId || !this.available) return false;
    this.safeEmit('alertcall', { gatewaySocketId, request });
    return true;
  }

  /** Sends a broadcast to the live gateway; false when no gateway can take it. */
  broadcast(request: BroadcastRequest): boolean {
    const gatewaySocketId = [...this.#gateways].at(-1);
    if (!gatewaySocketId || !this.available) return false;
    this.safeEmit('broadcast', { gatewaySocketId, request });
    return true;
  }

  /** Whether the gateway's last report lists this extension as registered with Kamailio. */
  isRegistered(extension: string): boolean {
    return this.#report?.data.registrations.some((r) => r.extension === extension) ?? false;
  }

  credentialsChanged(): void {
    this.safeEmit('credentials');
  }

  /** Every SIP phone of the store, then registered users the store does not know. */
  #registrations(): PhoneRegistration[] {
    const report = this.#report?.data;
    const registered = new Map(report?.registrations.map((r) => [r.extension, r]) ?? []);
    const inCall = new Set(report?.inCall ?? []);
    const out: PhoneRegistration[] = [];
    for (const terminal of this.#phones) {
      if (terminal.extension === null) continue;
      const reg = registered.get(terminal.extension);
      registered.delete(terminal.extension);
      out.push({
        extension: terminal.extension,
        terminalId: terminal.id,
        townshipId: terminal.townshipId,
        registered: reg !== undefined,
        contact: reg?.contact ?? null,
        expiresAt: reg?.expiresAt ?? null,
        inCall: inCall.has(terminal.extension),
      });
    }
    for (const reg of registered.values()) {
      if (this.#loudspeakers.has(reg.extension)) continue;
      out.push({
        extension: reg.extension,
        terminalId: null,
        townshipId: null,
        registered: true,
        contact: reg.contact,
        expiresAt: reg.expiresAt,
        inCall: inCall.has(reg.extension),
      });
    }
    return out;
  }
}
