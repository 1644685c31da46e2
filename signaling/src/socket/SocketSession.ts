/**
 * Per-socket state: who is connected and which room peer it currently is.
 *
 * Events of one socket run one after another (`run`). Without that, a
 * client firing room:join and room:leave back to back, or disconnecting while
 * its join is in flight, would interleave the two at every await and leave a
 * half-joined peer behind.
 */

import { BeaconError } from '@beacon/protocol';
import type { AuthClaims } from '../auth/tokens.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { Participant } from '../rooms/Participant.ts';
import { authorize, type MeetingAction } from '../rooms/permissions.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';

export class SocketSession {
  readonly socketId: string;
  readonly claims: AuthClaims;
  #current: { roomId: string; peerId: string } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #pending = 0;

  constructor(socketId: string, claims: AuthClaims) {
    this.socketId = socketId;
    this.claims = claims;
  }

  /** Queues `task` behind this socket's earlier events; never rejects the queue itself. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.#pending += 1;
    const result = this.#queue.then(task).finally(() => {
      this.#pending -= 1;
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Events queued or running (the flood guard bounds it). */
  get pending(): number {
    return this.#pending;
  }

  /** The room this socket joined last, without checking it still exists (see lookup). */
  currentRoomId(): string | undefined {
    return this.#current?.roomId;
  }

  setCurrent(current: { roomId: string; peerId: string } | undefined): void {
    this.#current = current;
  }

  /**
   * The room and participant of this socket, or undefined. A stale entry is
   * cleared here: the room was dropped (media worker died), the peer was
   * removed or the meeting ended, or another socket resumed the peer.
   */
  lookup(registry: RoomRegistry): { room: ConferenceRoom; participant: Participant } | undefined {
    if (!this.#current) return undefined;
    const room = registry.get(this.#current.roomId);
    const participant = room?.get(this.#current.peerId);
    if (!room || !participant || participant.socketId !== this.socketId) {
      this.#current = undefined;
      return undefined;
    }
    return { room, participant };
  }

  /**
   * Like lookup, but a socket outside any room gets 'not_in_room' and a
   * meeting role the permission table does not allow `action` gets 'forbidden'.
   */
  require(registry: RoomRegistry, action: MeetingAction): { room: ConferenceRoom; participant: Participant } {
    const found = this.lookup(registry);
    if (!found) throw new BeaconError('not_in_room', 'join a room first');
    authorize(found.participant.meetingRole, action);
    return found;
  }
}
