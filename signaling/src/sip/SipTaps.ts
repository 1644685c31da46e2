/**
 * The room taps of every gateway socket: at most one per (socket, room).
 * A tap ends on `sip:untap`, when its socket goes, or when its room closes
 * (last participant left, or the media room was re-created elsewhere).
 * A tap goes only to the gateway's own RTP addresses (tapTargets.ts) and
 * RTP ports (BEACON_SIP_RTP_PORT_MIN/MAX): a service token is not a licence
 * to stream a meeting to any host, nor to any other UDP service on the
 * gateway's machine.
 */

import { TypedEmitter } from '@beacon/common';
import { type MediaControl, PlainTargets } from '@beacon/media-server';
import type { TapStream } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { RoomTap } from '../rooms/RoomTap.ts';
import { tapTargets } from './tapTargets.ts';

export type SipTapsEvents = {
  stream: [{ socketId: string; roomId: string; stream: TapStream }];
  ended: [{ socketId: string; roomId: string; producerId: string }];
};

export class SipTaps extends TypedEmitter<SipTapsEvents> {
  readonly #registry: RoomRegistry;
  readonly #media: MediaControl;
  readonly #targets: PlainTargets;
  /** socketId → roomId → tap. */
  readonly #taps = new Map<string, Map<string, RoomTap>>();
  readonly #onRoomClosed = ({ roomId }: { roomId: string }) => {
    for (const socketId of this.#taps.keys()) this.untap(socketId, roomId);
  };

  /**
   * `targets`: addresses / networks taps may go to (default: loopback and this machine's addresses); `ports`:
   * the gateway's RTP port range (default: any port).
   */
  constructor(opts: {
    registry: RoomRegistry;
    media: MediaControl;
    targets?: readonly string[];
    ports?: { min: number; max: number };
  }) {
    super();
    this.#registry = opts.registry;
    this.#media = opts.media;
    this.#targets = new PlainTargets(opts.targets ?? tapTargets(null), opts.ports ?? null);
    this.#registry.on('roomclosed', this.#onRoomClosed);
  }

  /** Why a tap may not send to `ip:port` (not a gateway RTP address, or not one of its RTP ports); null: it may. */
  refusal(ip: string, port: number): 'address' | 'port' | null {
    if (!this.#targets.allows(ip)) return 'address';
    if (!this.#targets.allowsPort(port)) return 'port';
    return null;
  }

  /**
   * (Re-)taps a live room for this socket; `room_not_found` when nobody is in it, `forbidden` when `ip` is
   * not a gateway address.
   */
  async tap(socketId: string, roomId: string, ip: string, port: number): Promise<TapStream[]> {
    if (this.refusal(ip, port) !== null) {
      throw new BeaconError('forbidden', `a tap may not send to ${ip}:${port} (not a gateway RTP address and port)`);
    }
    const room = this.#registry.get(roomId);
    if (!room || room.closed) throw new BeaconError('room_not_found', `room "${roomId}" has no live conference`);
    this.untap(socketId, roomId);
    const tap = new RoomTap({ room, media: this.#media, ip, port });
    tap.on('stream', (stream) => this.safeEmit('stream', { socketId, roomId, stream }));
    tap.on('ended', (producerId) => this.safeEmit('ended', { socketId, roomId, producerId }));
    let perSocket = this.#taps.get(socketId);
    if (!perSocket) {
      perSocket = new Map();
      this.#taps.set(socketId, perSocket);
    }
    perSocket.set(roomId, tap);
    try {
      return await tap.start();
    } catch (err) {
      this.untap(socketId, roomId);
      throw err;
    }
  }

  /** False when there was no such tap. */
  untap(socketId: string, roomId: string): boolean {
    const perSocket = this.#taps.get(socketId);
    const tap = perSocket?.get(roomId);
    if (!perSocket || !tap) return false;
    perSocket.delete(roomId);
    if (perSocket.size === 0) this.#taps.delete(socketId);
    tap.close();
    return true;
  }

  /** The gateway socket went away: its taps with it. */
  closeSocket(socketId: string): void {
    for (const roomId of [...(this.#taps.get(socketId)?.keys() ?? [])]) this.untap(socketId, roomId);
  }

  /** Taps of a socket, for tests and diagnostics. */
  count(socketId: string): number {
    return this.#taps.get(socketId)?.size ?? 0;
  }

  close(): void {
    this.#registry.off('roomclosed', this.#onRoomClosed);
    for (const socketId of [...this.#taps.keys()]) this.closeSocket(socketId);
  }
}
