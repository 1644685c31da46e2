/**
 * Turns SIP bridge and room tap events into socket.io emits, and tells the
 * bridge which sockets are gateways. Staff consoles and gateways are kept in
 * two socket.io rooms: unlike conference peers, they are addressed by role,
 * not by room state.
 */

import type { Role } from '@beacon/protocol';
import type { AuthClaims } from '../auth/tokens.ts';
import { ACCOUNT_PERMISSIONS } from '../rooms/permissions.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge, SipBridgeEvents } from '../sip/SipBridge.ts';
import type { SipTaps, SipTapsEvents } from '../sip/SipTaps.ts';
import type { UpstreamLinksEvents } from '../sip/upstream/UpstreamLinks.ts';
import type { BeaconServer, BeaconSocket } from './types.ts';

const STAFF_ROOM = 'sip:staff';
const GATEWAY_ROOM = 'sip:gateways';
/** Who sees phone registrations and gateway availability. */
const STAFF: readonly Role[] = ACCOUNT_PERMISSIONS['sip:status'];

type Listener<E extends Record<string, unknown[]>, K extends keyof E> = (...args: E[K]) => void;

/** The gateway's service socket (a phone leg's token says `device: 'phone'`). */
export function isGateway(claims: AuthClaims): boolean {
  return claims.role === 'service' && claims.device !== 'phone';
}

export class SipEmitter {
  readonly #io: BeaconServer;
  readonly #bridge: SipBridge;
  readonly #taps: SipTaps;
  readonly #registry: RoomRegistry;

  readonly #onStatus: Listener<SipBridgeEvents, 'status'> = (status) =>
    this.#io.to(STAFF_ROOM).emit('sip:status', status);
  readonly #onDial: Listener<SipBridgeEvents, 'dial'> = ({ gatewaySocketId, request }) =>
    this.#io.to(gatewaySocketId).emit('sip:dial', request);
  readonly #onAlertCall: Listener<SipBridgeEvents, 'alertcall'> = ({ gatewaySocketId, request }) =>
    this.#io.to(gatewaySocketId).emit('sip:alertCall', request);
  readonly #onBroadcast: Listener<SipBridgeEvents, 'broadcast'> = ({ gatewaySocketId, request }) =>
    this.#io.to(gatewaySocketId).emit('sip:broadcast', request);
  readonly #onUpstream: Listener<SipBridgeEvents, 'upstream'> = ({ gatewaySocketId, request }) =>
    this.#io.to(gatewaySocketId).emit('sip:upstream', request);
  readonly #onUpstreamControl: Listener<SipBridgeEvents, 'upstreamcontrol'> = ({ gatewaySocketId, control }) =>
    this.#io.to(gatewaySocketId).emit('sip:upstream:control', control);
  readonly #onUpstreamStatus: Listener<UpstreamLinksEvents, 'status'> = (status) => {
    const sockets = this.#registry
      .get(status.roomId)
      ?.participants()
      .map((p) => p.socketId);
    if (sockets?.length) this.#io.to(sockets).emit('upstream:status', status);
  };
  readonly #onRoomClosed = ({ roomId }: { roomId: string }) => this.#bridge.upstream.roomClosed(roomId);
  readonly #onCredentials: Listener<SipBridgeEvents, 'credentials'> = () =>
    this.#io.to(GATEWAY_ROOM).emit('sip:credentials', {});
  readonly #onDialState: Listener<SipBridgeEvents, 'dialstate'> = ({ record, state, reason }) => {
    const chairs = this.#registry
      .get(record.roomId)
      ?.participants()
      .filter((p) => p.isModerator && !p.reconnecting);
    const socketIds = new Set([record.diallerSocketId, ...(chairs ?? []).map((p) => p.socketId)]);
    this.#io
      .to([...socketIds])
      .emit('phone:dial:state', { requestId: record.requestId, extension: record.extension, state, reason });
  };
  readonly #onTapStream: Listener<SipTapsEvents, 'stream'> = ({ socketId, roomId, stream }) =>
    this.#io.to(socketId).emit('sip:tap:stream', { roomId, stream });
  readonly #onTapEnded: Listener<SipTapsEvents, 'ended'> = ({ socketId, roomId, producerId }) =>
    this.#io.to(socketId).emit('sip:tap:ended', { roomId, producerId });

  constructor(opts: { io: BeaconServer; bridge: SipBridge; taps: SipTaps; registry: RoomRegistry }) {
    this.#io = opts.io;
    this.#bridge = opts.bridge;
    this.#taps = opts.taps;
    this.#registry = opts.registry;
    this.#bridge.on('status', this.#onStatus);
    this.#bridge.on('dial', this.#onDial);
    this.#bridge.on('alertcall', this.#onAlertCall);
    this.#bridge.on('broadcast', this.#onBroadcast);
    this.#bridge.on('credentials', this.#onCredentials);
    this.#bridge.on('dialstate', this.#onDialState);
    this.#bridge.on('upstream', this.#onUpstream);
    this.#bridge.on('upstreamcontrol', this.#onUpstreamControl);
    this.#bridge.upstream.on('status', this.#onUpstreamStatus);
    this.#registry.on('roomclosed', this.#onRoomClosed);
    this.#taps.on('stream', this.#onTapStream);
    this.#taps.on('ended', this.#onTapEnded);
  }

  /** A new socket: staff hear SIP status from now on, a gateway becomes known to the bridge. */
  connected(socket: BeaconSocket): void {
    const { claims } = socket.data;
    if (STAFF.includes(claims.role)) void socket.join(STAFF_ROOM);
    if (isGateway(claims)) {
      void socket.join(GATEWAY_ROOM);
      this.#bridge.gatewayConnected(socket.id);
    }
  }

  disconnected(socket: BeaconSocket): void {
    if (!isGateway(socket.data.claims)) return;
    this.#taps.closeSocket(socket.id);
    this.#bridge.gatewayDisconnected(socket.id);
  }

  close(): void {
    this.#bridge.off('status', this.#onStatus);
    this.#bridge.off('dial', this.#onDial);
    this.#bridge.off('alertcall', this.#onAlertCall);
    this.#bridge.off('broadcast', this.#onBroadcast);
    this.#bridge.off('credentials', this.#onCredentials);
    this.#bridge.off('dialstate', this.#onDialState);
    this.#bridge.off('upstream', this.#onUpstream);
    this.#bridge.off('upstreamcontrol', this.#onUpstreamControl);
    this.#bridge.upstream.off('status', this.#onUpstreamStatus);
    this.#registry.off('roomclosed', this.#onRoomClosed);
    this.#taps.off('stream', this.#onTapStream);
    this.#taps.off('ended', this.#onTapEnded);
  }
}
