/**
 * What signaling knows about the SIP side: which gateway sockets are
 * connected, the gateway's last report (Kamailio, registrations, calls), and
 * the dial-outs in flight. Browser-facing status merges that report with the
 * store's SIP phones.
 *
 * Does not know socket.io (LiveKit-style manager): what must be sent leaves
 * as typed events; socket/SipEmitter.ts turns them into emits.
 */
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
import { takesCalls } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import { GatewayCalls } from './GatewayCalls.ts';
import type { RelayMessage, RemoteGateways } from './remoteGateways.ts';
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
  /** Dial-outs and links up in flight, and where their progress goes. */
  readonly #calls: GatewayCalls;
  readonly #ownsRoom: ((roomId: string) => Promise<boolean>) | undefined;
  #linksRestored = false;
  /** Connected gateway sockets, oldest first. */
  readonly #gateways = new Set<string>();
  #report: { socketId: string; data: StatusReport } | null = null;
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
    this.#calls = new GatewayCalls({
      newestGateway: () => {
        const socketId = [...this.#gateways].at(-1);
        return socketId === undefined ? null : { socketId, available: this.available };
      },
      hasGateway: (socketId) => this.#gateways.has(socketId),
      upstream: this.upstream,
      emit: (event, ...args) => this.safeEmit(event, ...args),
    });
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
    return this.#calls.canCall;
  }

  /** Cluster mode: reach gateways connected to other nodes when this node has none. */
  useCluster(remote: RemoteGateways): void {
    this.#calls.useCluster(remote);
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

  /** Sends the request to a gateway that can take it (here or, in a cluster, on another node); null: none can. */
  dial(input: Omit<DialRequest, 'requestId'>, diallerSocketId: string): DialRequest | null {
    return this.#calls.dial(input, diallerSocketId);
  }

  /** Relays the gateway's progress report; false for an unknown (or finished) request. */
  dialState(requestId: string, state: DialState, reason: string | null): boolean {
    return this.#calls.dialState(requestId, state, reason);
  }

  /** Sends an upstream dial to a gateway that can take it; null when none can. */
  dialUpstream(input: Omit<UpstreamDialRequest, 'requestId'>): { requestId: string } | null {
    return this.#calls.dialUpstream(input);
  }

  /** Sends a control to the gateway holding the upstream call (nothing if it is gone). */
  controlUpstream(control: UpstreamControl): void {
    this.#calls.controlUpstream(control);
  }

  /**
   * The upstream conference called a room's number from the gateway on `gatewaySocketId` (the gateway checked
   * the source is a trusted peer; the link checks it is the upstream's address): the call becomes the room's
   * link — on the node that drives the room. Null when it is not the upstream (the caller then keys the PIN).
   */
  async acceptUpstream(gatewaySocketId: string, roomId: string, source: string): Promise<{ requestId: string } | null> {
    if (!this.#gateways.has(gatewaySocketId) || !(await this.upstream.isUpstreamSource(source))) return null;
    return this.#calls.acceptUpstream(gatewaySocketId, roomId, source);
  }

  /** Progress of an upstream call, to its room's link; false for an unknown request. */
  upstreamState(requestId: string, state: DialState, reason: string | null): boolean {
    return this.#calls.upstreamState(requestId, state, reason);
  }

  /** Another node's bridge asks (cluster/GatewayRelay.ts has checked the message): see GatewayCalls.serve. */
  serveRelay(from: string, message: RelayMessage): Promise<unknown> {
    return this.#calls.serve(from, message);
  }

  /** Cluster upkeep: calls tied to a node that died are ended. */
  sweepRemote(): Promise<void> {
    return this.#calls.sweep();
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
