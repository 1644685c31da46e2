/**
 * The conference rooms live on this signaling node, keyed by room id.
 *
 * A room exists while someone is in it: the first join creates it (and its
 * media router), the last leave closes both. Creation is serialised per room
 * id: concurrent first joins await one shared creation instead of racing to
 * build two rooms (the edumeet lesson).
 */
import type { MediaControl } from '@beacon/media-server';
import { TypedEmitter } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import { ConferenceRoom } from './ConferenceRoom.ts';
import type { Participant } from './Participant.ts';

const logger = createLogger('RoomRegistry');

export type RoomRegistryEvents = {
  /** Subscribe to the room's own events here, before anyone joins it. */
  roomcreated: [ConferenceRoom];
  roomclosed: [{ roomId: string }];
};

export class RoomRegistry extends TypedEmitter<RoomRegistryEvents> {
  readonly #media: MediaControl;
  readonly #rooms = new Map<string, ConferenceRoom>();
  readonly #pending = new Map<string, Promise<ConferenceRoom>>();

  constructor(media: MediaControl) {
    super();
    this.#media = media;
  }

  get(roomId: string): ConferenceRoom | undefined {
    return this.#rooms.get(roomId);
  }

  rooms(): ConferenceRoom[] {
    return [...this.#rooms.values()];
  }

  participantCount(roomId: string): number {
    return this.#rooms.get(roomId)?.size ?? 0;
  }

  counts(): { rooms: number; participants: number } {
    let participants = 0;
    for (const room of this.#rooms.values()) participants += room.size;
    return { rooms: this.#rooms.size, participants };
  }

  /** Returns the live room, creating it (once, however many callers) if needed. */
  getOrCreate(roomId: string): Promise<ConferenceRoom> {
    const existing = this.#rooms.get(roomId);
    if (existing) return Promise.resolve(existing);
    let pending = this.#pending.get(roomId);
    if (!pending) {
      pending = this.#create(roomId).finally(() => this.#pending.delete(roomId));
      this.#pending.set(roomId, pending);
    }
    return pending;
  }

  /**
   * Puts the participant into the room, creating the room if needed. The add
   * happens in the same turn the room is obtained; if the room closed in
   * between (its last peer left meanwhile) a fresh one is created.
   */
  async join(roomId: string, participant: Participant): Promise<ConferenceRoom> {
    for (;;) {
      const room = await this.getOrCreate(roomId);
      if (room.closed) continue;
      room.add(participant);
      return room;
    }
  }

  /**
   * The media of these rooms was re-created on another worker: forget their
   * state (clients must join again) and return the dropped participants.
   */
  dropRooms(roomIds: readonly string[]): Participant[] {
    const dropped: Participant[] = [];
    for (const roomId of roomIds) {
      const room = this.#rooms.get(roomId);
      if (!room) continue;
      dropped.push(...room.dropAll());
      this.#close(room);
    }
    return dropped;
  }

  /** Closes every room (shutdown). */
  close(): void {
    for (const room of this.rooms()) {
      room.dropAll();
      this.#close(room);
    }
  }

  async #create(roomId: string): Promise<ConferenceRoom> {
    const { rtpCapabilities } = await this.#media.ensureRoom(roomId);
    const room = new ConferenceRoom({ id: roomId, media: this.#media, routerRtpCapabilities: rtpCapabilities });
    room.on('empty', () => this.#close(room));
    this.#rooms.set(roomId, room);
    logger.info({ roomId }, 'room created');
    this.safeEmit('roomcreated', room);
    return room;
  }

  #close(room: ConferenceRoom): void {
    if (room.closed) return;
    room.markClosed();
    if (this.#rooms.get(room.id) === room) this.#rooms.delete(room.id);
    if (this.#media.hasRoom(room.id)) this.#media.closeRoom(room.id);
    logger.info({ roomId: room.id }, 'room closed');
    this.safeEmit('roomclosed', { roomId: room.id });
  }
}
