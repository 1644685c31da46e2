/**
 * The conference rooms live on this signaling node, keyed by room id.
 *
 * A room exists while someone is in it: the first join creates it (and its
 * media router), the last leave closes both. Creation is serialised per room
 * id: concurrent first joins await one shared creation instead of racing to
 * build two rooms (the edumeet lesson).
 */

import { TypedEmitter } from '@beacon/common';
import type { MediaControl } from '@beacon/media-server';
import type { MeetingMode } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { ConferenceRoom } from './ConferenceRoom.ts';
import type { Participant } from './Participant.ts';
import type { PollingClock } from './Polling.ts';

const logger = createLogger('RoomRegistry');

export type RoomRegistryEvents = {
  /** Subscribe to the room's own events here, before anyone joins it. */
  roomcreated: [ConferenceRoom];
  roomclosed: [{ roomId: string }];
};

export interface RoomRegistryOptions {
  /** How long a participant whose socket went away stays `reconnecting` (default 30 s). */
  reconnectGraceMs?: number;
  /** Timer source for polling (tests step it). */
  clock?: PollingClock;
}

export interface JoinOptions {
  /** The mode a room starts in if this join creates it (training rooms: broadcast). */
  mode?: MeetingMode;
  /**
   * Runs in the same turn as the add, on the room the participant enters:
   * the place to refuse (locked) or pick the meeting role (who chairs)
   * without a race against a concurrent join.
   */
  admit?: (room: ConferenceRoom) => void;
}

export class RoomRegistry extends TypedEmitter<RoomRegistryEvents> {
  #lastCapabilities: unknown = null;
  readonly #media: MediaControl;
  readonly #options: RoomRegistryOptions;
  readonly #rooms = new Map<string, ConferenceRoom>();
  readonly #pending = new Map<string, Promise<ConferenceRoom>>();

  constructor(media: MediaControl, options: RoomRegistryOptions = {}) {
    super();
    this.#media = media;
    this.#options = options;
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
  getOrCreate(roomId: string, opts: { mode?: MeetingMode } = {}): Promise<ConferenceRoom> {
    const existing = this.#rooms.get(roomId);
    if (existing) return Promise.resolve(existing);
    let pending = this.#pending.get(roomId);
    if (!pending) {
      pending = this.#create(roomId, opts.mode).finally(() => this.#pending.delete(roomId));
      this.#pending.set(roomId, pending);
    }
    return pending;
  }

  /**
   * Puts the participant into the room, creating the room if needed. The add
   * happens in the same turn the room is obtained; if the room closed in
   * between (its last peer left meanwhile) a fresh one is created.
   */
  async join(roomId: string, participant: Participant, opts: JoinOptions = {}): Promise<ConferenceRoom> {
    for (;;) {
      const room = await this.getOrCreate(roomId, opts);
      if (room.closed) continue;
      opts.admit?.(room);
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

  /** The RTP capabilities of the last router made (the same codecs for all), or null before the first room. */
  get mediaCapabilities(): unknown {
    return this.#lastCapabilities;
  }

  async #create(roomId: string, mode: MeetingMode | undefined): Promise<ConferenceRoom> {
    const { rtpCapabilities } = await this.#media.ensureRoom(roomId);
    this.#lastCapabilities = rtpCapabilities;
    const room = new ConferenceRoom({
      id: roomId,
      media: this.#media,
      routerRtpCapabilities: rtpCapabilities,
      ...(mode === undefined ? {} : { mode }),
      ...this.#options,
    });
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
