/**
 * Township terminals on the map: video online (a socket of a township
 * account of that township is connected), the meeting it is in, and its desk
 * phone (from the SIP gateway's status). Emits a township's presence only
 * when it changed.
 */
import type { TerminalPresence } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { CommandBus } from './CommandBus.ts';

const logger = createLogger('Presence');

/** A township as one node sees it: its own sockets and rooms. */
export interface LocalPresence {
  online: boolean;
  meeting: string | null;
}

/**
 * Cluster mode: what the other signaling nodes see (their terminals' sockets
 * and the rooms they run), and where to tell them what this node sees.
 */
export interface PresenceMirror {
  remote(townshipId: string): LocalPresence;
  publish(townshipId: string, local: LocalPresence): void;
}

export class Presence {
  #mirror: PresenceMirror | null = null;
  readonly #lastLocal = new Map<string, string>();
  readonly #bus: CommandBus;
  readonly #registry: RoomRegistry;
  readonly #sip: SipBridge;
  /** townshipId → connected socket ids of its township accounts. */
  readonly #sockets = new Map<string, Set<string>>();
  readonly #last = new Map<string, string>();
  readonly #refreshAll = () => this.refreshAll();
  readonly #onRoomCreated = (room: ConferenceRoom) => {
    room.on('peerjoined', (peer) => {
      if (peer.townshipId) this.refresh(peer.townshipId);
    });
    room.on('peerleft', this.#refreshAll);
  };

  constructor(opts: { bus: CommandBus; registry: RoomRegistry; sip: SipBridge }) {
    this.#bus = opts.bus;
    this.#registry = opts.registry;
    this.#sip = opts.sip;
    this.#registry.on('roomcreated', this.#onRoomCreated);
    this.#registry.on('roomclosed', this.#refreshAll);
    this.#sip.on('status', this.#refreshAll);
  }

  socketConnected(socketId: string, townshipId: string): void {
    let set = this.#sockets.get(townshipId);
    if (!set) {
      set = new Set();
      this.#sockets.set(townshipId, set);
    }
    set.add(socketId);
    this.refresh(townshipId);
  }

  socketDisconnected(socketId: string, townshipId: string): void {
    const set = this.#sockets.get(townshipId);
    if (!set?.delete(socketId)) return;
    if (set.size === 0) this.#sockets.delete(townshipId);
    this.refresh(townshipId);
  }

  isOnline(townshipId: string): boolean {
    return (this.#sockets.get(townshipId)?.size ?? 0) > 0 || (this.#mirror?.remote(townshipId).online ?? false);
  }

  /** Cluster mode: merge other nodes' view, publish this node's (ClusterPresence). */
  setMirror(mirror: PresenceMirror): void {
    this.#mirror = mirror;
    this.republish();
  }

  /** Publishes this node's view of every township again (after a Redis restart lost it). */
  republish(): void {
    this.#lastLocal.clear();
    this.refreshAll();
  }

  /** Every township of the store, in its order. */
  async list(): Promise<TerminalPresence[]> {
    const townships = await this.#bus.store.townships.list();
    return this.#presenceOf(townships.map((t) => t.id));
  }

  /** `townshipId` is one of the store's (a township account's or a phone's, both checked by foreign keys). */
  refresh(townshipId: string): void {
    this.#publishLocal([townshipId]);
    for (const presence of this.#presenceOf([townshipId])) this.#emitIfChanged(presence);
  }

  /** Reads the township list, so the emits follow a store round trip; a failure is logged. */
  refreshAll(): void {
    this.list()
      .then((all) => {
        this.#publishLocal(all.map((p) => p.townshipId));
        for (const presence of all) this.#emitIfChanged(presence);
      })
      .catch((err: unknown) => logger.warn({ err }, 'presence refresh failed'));
  }

  close(): void {
    this.#registry.off('roomcreated', this.#onRoomCreated);
    this.#registry.off('roomclosed', this.#refreshAll);
    this.#sip.off('status', this.#refreshAll);
  }

  /**
   * Cluster mode: tells the other nodes what changed in this node's own view of `townshipIds` (every change
   * passes through refresh — one township's sockets or meeting — or refreshAll; reads such as list() publish
   * nothing).
   */
  #publishLocal(townshipIds: readonly string[]): void {
    if (!this.#mirror) return;
    const meetings = this.#meetings();
    for (const id of townshipIds) {
      const local: LocalPresence = {
        online: (this.#sockets.get(id)?.size ?? 0) > 0,
        meeting: meetings.get(id) ?? null,
      };
      const key = JSON.stringify(local);
      if (this.#lastLocal.get(id) === key) continue;
      this.#lastLocal.set(id, key);
      this.#mirror.publish(id, local);
    }
  }

  #presenceOf(townshipIds: readonly string[]): TerminalPresence[] {
    const phones = this.#sip.status().registrations;
    const meetings = this.#meetings();
    return townshipIds.map((id) => {
      const phone = phones.filter((p) => p.townshipId === id);
      return {
        townshipId: id,
        videoOnline: this.isOnline(id),
        inMeeting: meetings.get(id) ?? this.#mirror?.remote(id).meeting ?? null,
        phoneRegistered: phone.some((p) => p.registered),
        phoneInCall: phone.some((p) => p.inCall),
      };
    });
  }

  #emitIfChanged(presence: TerminalPresence): void {
    const key = JSON.stringify(presence);
    if (this.#last.get(presence.townshipId) === key) return;
    this.#last.set(presence.townshipId, key);
    this.#bus.emit('presence', presence);
  }

  /** townshipId → the room its video terminal (a township account's browser) is in. */
  #meetings(): Map<string, string> {
    const out = new Map<string, string>();
    for (const room of this.#registry.rooms()) {
      for (const p of room.participants()) {
        if (p.claims.role === 'township' && p.device === 'browser' && p.claims.townshipId) {
          out.set(p.claims.townshipId, room.id);
        }
      }
    }
    return out;
  }
}
