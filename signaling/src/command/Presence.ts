/**
 * Township terminals on the map: video online (a socket of a township
 * account of that township is connected), the meeting it is in, and its desk
 * phone (from the SIP gateway's status). Emits a township's presence only
 * when it changed.
 */
import type { TerminalPresence } from '../protocol/command.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { CommandBus } from './CommandBus.ts';

export class Presence {
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
    return (this.#sockets.get(townshipId)?.size ?? 0) > 0;
  }

  /** Every township of the store, in its order. */
  list(): TerminalPresence[] {
    const phones = this.#sip.status().registrations;
    const meetings = this.#meetings();
    return this.#bus.store.townships.list().map((t) => {
      const phone = phones.filter((p) => p.townshipId === t.id);
      return {
        townshipId: t.id,
        videoOnline: this.isOnline(t.id),
        inMeeting: meetings.get(t.id) ?? null,
        phoneRegistered: phone.some((p) => p.registered),
        phoneInCall: phone.some((p) => p.inCall),
      };
    });
  }

  get(townshipId: string): TerminalPresence | undefined {
    return this.list().find((p) => p.townshipId === townshipId);
  }

  refresh(townshipId: string): void {
    const presence = this.get(townshipId);
    if (presence) this.#emitIfChanged(presence);
  }

  refreshAll(): void {
    for (const presence of this.list()) this.#emitIfChanged(presence);
  }

  close(): void {
    this.#registry.off('roomcreated', this.#onRoomCreated);
    this.#registry.off('roomclosed', this.#refreshAll);
    this.#sip.off('status', this.#refreshAll);
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
