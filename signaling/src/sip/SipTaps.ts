/**
 * The room taps of every gateway socket: at most one per (socket, room).
 * A tap ends on `sip:untap`, when its socket goes, or when its room closes
 * (last participant left, or the media room was re-created elsewhere).
 */

import { TypedEmitter } from '@beacon/common';
import type { MediaControl } from '@beacon/media-server';
import type { TapStream } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { RoomTap } from '../rooms/RoomTap.ts';

export type SipTapsEvents = {
  stream: [{ socketId: string; roomId: string; stream: TapStream }];
  ended: [{ socketId: string; roomId: string; producerId: string }];
};

export class SipTaps extends TypedEmitter<SipTapsEvents> {
  readonly #registry: RoomRegistry;
  readonly #media: MediaControl;
  /** socketId → roomId → tap. */
  readonly #taps = new Map<string, Map<string, RoomTap>>();
  readonly #onRoomClosed = ({ roomId }: { roomId: string }) => {
    for (const socketId of this.#taps.keys()) this.untap(socketId, roomId);
  };

  constructor(opts: { registry: RoomRegistry; media: MediaControl }) {
    super();
    this.#registry = opts.registry;
    this.#media = opts.media;
    this.#registry.on('roomclosed', this.#onRoomClosed);
  }

  /** (Re-)taps a live room for this socket; `room_not_found` when nobody is in it. */
  async tap(socketId: string, roomId: string, ip: string, port: number): Promise<TapStream[]> {
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
