/**
 * Turns room and media events into socket.io emits. Rooms and the media
 * server know peers only by peerId; the bridge finds each peer's socket.
 *
 * Emits go to socket ids taken from room state (not socket.io rooms), so who
 * hears what always matches who the registry thinks is in the room.
 */
import type { MediaControl, MediaControlEvents } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { BeaconServer } from './types.ts';

const logger = createLogger('RoomBridge');

type MediaListener<K extends keyof MediaControlEvents> = (...args: MediaControlEvents[K]) => void;

export class RoomBridge {
  readonly #io: BeaconServer;
  readonly #registry: RoomRegistry;
  readonly #media: MediaControl;
  readonly #onRoomCreated = (room: ConferenceRoom) => this.#wireRoom(room);

  /** One listener per media event, subscribed in the constructor and removed by close(). */
  readonly #mediaListeners: { [K in keyof MediaControlEvents]: MediaListener<K> } = {
    consumerclosed: ({ roomId, peerId, consumerId }) =>
      this.#toPeer(roomId, peerId)?.emit('consumer:closed', { consumerId }),
    consumerpaused: ({ roomId, peerId, consumerId }) =>
      this.#toPeer(roomId, peerId)?.emit('consumer:paused', { consumerId }),
    consumerresumed: ({ roomId, peerId, consumerId }) =>
      this.#toPeer(roomId, peerId)?.emit('consumer:resumed', { consumerId }),
    activespeaker: ({ roomId, peerId }) => {
      const room = this.#registry.get(roomId);
      if (room) this.#toSockets(room.participants().map((p) => p.socketId))?.emit('speaker:active', { peerId });
    },
    roomsrecreated: ({ roomIds, reason }) => {
      logger.warn({ roomIds, reason }, 'media rooms re-created; asking their peers to re-join');
      for (const participant of this.#registry.dropRooms(roomIds)) {
        this.#io.to(participant.socketId).emit('room:recreated', { roomId: participant.roomId });
      }
    },
  };

  constructor(opts: { io: BeaconServer; registry: RoomRegistry; media: MediaControl }) {
    this.#io = opts.io;
    this.#registry = opts.registry;
    this.#media = opts.media;
    this.#registry.on('roomcreated', this.#onRoomCreated);
    for (const [event, listener] of this.#mediaEntries()) this.#media.on(event, listener);
  }

  close(): void {
    this.#registry.off('roomcreated', this.#onRoomCreated);
    for (const [event, listener] of this.#mediaEntries()) this.#media.off(event, listener);
  }

  #mediaEntries() {
    // Object.entries loses the key/listener pairing in the types; each pair is correct by construction above.
    return Object.entries(this.#mediaListeners) as [keyof MediaControlEvents, (...args: unknown[]) => void][];
  }

  #wireRoom(room: ConferenceRoom): void {
    const others = (peerId: string) => this.#toSockets(room.others(peerId).map((p) => p.socketId));
    room.on('peerjoined', (peer) => others(peer.peerId)?.emit('peer:joined', peer));
    room.on('peerupdated', (peer) => others(peer.peerId)?.emit('peer:updated', peer));
    room.on('peerleft', ({ peerId }) => others(peerId)?.emit('peer:left', { peerId }));
    room.on('consumernew', ({ peerId, consumer }) => this.#toPeer(room.id, peerId)?.emit('consumer:new', consumer));
  }

  #toPeer(roomId: string, peerId: string) {
    const socketId = this.#registry.get(roomId)?.get(peerId)?.socketId;
    return socketId === undefined ? undefined : this.#io.to(socketId);
  }

  /** undefined for nobody: `io.to([])` would broadcast to every socket. */
  #toSockets(socketIds: string[]) {
    return socketIds.length === 0 ? undefined : this.#io.to(socketIds);
  }
}
