/**
 * Turns room and media events into socket.io emits. Rooms and the media
 * server know peers only by peerId; the bridge finds each peer's socket.
 *
 * Emits go to socket ids taken from room state (not socket.io rooms), so who
 * hears what always matches who the registry thinks is in the room. Emits
 * for one peer that is `reconnecting` are held and delivered on resume.
 * Who hears about audience peers: see rooms/visibility.ts.
 */
import type { MediaControl, MediaControlEvents } from '@beacon/media-server';
import type { ServerToClientEvents } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { Participant } from '../rooms/Participant.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { audienceOf } from '../rooms/visibility.ts';
import type { BeaconServer } from './types.ts';

const logger = createLogger('RoomBridge');

type MediaListener<K extends keyof MediaControlEvents> = (...args: MediaControlEvents[K]) => void;
type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

export class RoomBridge {
  readonly #io: BeaconServer;
  readonly #registry: RoomRegistry;
  readonly #media: MediaControl;
  readonly #onRoomCreated = (room: ConferenceRoom) => this.#wireRoom(room);

  /** One listener per media event, subscribed in the constructor and removed by close(). */
  readonly #mediaListeners: {
    // A plain producer's key frame request concerns its sender (gb28181/LiveView hears it), not the sockets.
    [K in Exclude<keyof MediaControlEvents, 'recordingfailed' | 'keyframerequest'>]: MediaListener<K>;
  } = {
    consumerclosed: ({ roomId, peerId, consumerId }) => {
      const participant = this.#registry.get(roomId)?.get(peerId);
      if (participant) participant.consumers.delete(consumerId);
      this.#toPeer(roomId, peerId, 'consumer:closed', { consumerId });
    },
    consumerpaused: ({ roomId, peerId, consumerId }) => this.#toPeer(roomId, peerId, 'consumer:paused', { consumerId }),
    consumerresumed: ({ roomId, peerId, consumerId }) =>
      this.#toPeer(roomId, peerId, 'consumer:resumed', { consumerId }),
    consumerlayers: ({ roomId, peerId, consumerId, spatialLayer, temporalLayer }) =>
      this.#toPeer(roomId, peerId, 'consumer:layers', { consumerId, spatialLayer, temporalLayer }),
    activespeaker: ({ roomId, peerId }) => {
      const room = this.#registry.get(roomId);
      if (room) this.#toSockets(room.participants())?.emit('speaker:active', { peerId });
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
    room.on('peerjoined', (peer) =>
      this.#toSockets(audienceOf(room, peer, { includeSelf: false }))?.emit('peer:joined', peer),
    );
    // Including the peer itself: a participant sees that the chair muted it.
    room.on('peerupdated', (peer) =>
      this.#toSockets(audienceOf(room, peer, { includeSelf: true }))?.emit('peer:updated', peer),
    );
    room.on('peerleft', ({ peerId, meetingRole }) =>
      this.#toSockets(audienceOf(room, { peerId, meetingRole }, { includeSelf: false }))?.emit('peer:left', { peerId }),
    );
    room.on('statechanged', (state) => this.#toSockets(room.participants())?.emit('room:state', state));
    room.on('consumernew', ({ peerId, consumer }) => this.#toPeer(room.id, peerId, 'consumer:new', consumer));
    room.on('speakresult', ({ peerId, granted }) => this.#toPeer(room.id, peerId, 'speak:result', { granted }));
  }

  /** One peer's emit; held while it is reconnecting. */
  #toPeer<E extends EventName>(roomId: string, peerId: string, event: E, payload: Payload<E>): void {
    const participant = this.#registry.get(roomId)?.get(peerId);
    if (!participant) return;
    if (participant.reconnecting) {
      participant.hold(event, payload);
      return;
    }
    // socket.io's emit types do not narrow over a generic event name.
    (this.#io.to(participant.socketId) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  }

  /**
   * Connected participants' sockets; undefined for nobody (`io.to([])` would
   * broadcast to every socket). Reconnecting peers re-sync from the resume ack.
   */
  #toSockets(participants: Participant[]) {
    const socketIds = participants.filter((p) => !p.reconnecting).map((p) => p.socketId);
    return socketIds.length === 0 ? undefined : this.#io.to(socketIds);
  }
}
