/**
 * Turns command-room events into socket.io emits. Like SipEmitter, sockets
 * are addressed by account, not by conference state: staff consoles sit in
 * one socket.io room, each township's terminals in `township:<id>`, so an
 * alert reaches a terminal whether or not it is in a meeting.
 */

import type { AuthClaims } from '../auth/tokens.ts';
import type { CommandEvents } from '../command/CommandBus.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { isStaff } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import type { BeaconServer, BeaconSocket } from './types.ts';

const logger = createLogger('CommandEmitter');

/** Every staff console's socket (admin, chair, duty officer) sits in this socket.io room. */
export const STAFF_ROOM = 'command:staff';
const townshipRoom = (id: string): string => `township:${id}`;

type Listener<K extends keyof CommandEvents> = (...args: CommandEvents[K]) => void;

/** A township account's browser: the township's video terminal. */
export function terminalTownship(claims: AuthClaims): string | null {
  return claims.role === 'township' && claims.device !== 'phone' ? claims.townshipId : null;
}

export class CommandEmitter {
  readonly #io: BeaconServer;
  readonly #command: CommandRoom;

  readonly #listeners: { [K in keyof CommandEvents]: Listener<K> } = {
    alert: ({ townshipIds, alert }) => this.#toTownships(townshipIds)?.emit('alert:new', alert),
    warning: (warning) => this.#io.to(STAFF_ROOM).emit('warning:updated', warning),
    ack: (row) => this.#io.to(STAFF_ROOM).emit('ack:updated', row),
    incident: (incident) => this.#io.to(STAFF_ROOM).emit('incident:updated', incident),
    timeline: (entry) => this.#io.to(STAFF_ROOM).emit('incident:timeline', entry),
    task: (task) => this.#io.to([STAFF_ROOM, townshipRoom(task.townshipId)]).emit('task:updated', task),
    // Cluster mode: every node computes the merged presence and tells only its own staff (ClusterPresence).
    presence: (presence) =>
      (this.#localPresence ? this.#io.local : this.#io).to(STAFF_ROOM).emit('presence:updated', presence),
    invite: ({ townshipIds, roomId, title, by }) =>
      this.#toTownships(townshipIds)?.emit('meeting:invite', { roomId, title, by }),
    pull: ({ townshipId, roomId }) => this.#io.to(townshipRoom(townshipId)).emit('pull:request', { roomId }),
    boundaries: (change) => this.#io.to(STAFF_ROOM).emit('boundaries:updated', change),
  };

  readonly #localPresence: boolean;

  constructor(opts: { io: BeaconServer; command: CommandRoom; localPresence?: boolean }) {
    this.#io = opts.io;
    this.#localPresence = opts.localPresence ?? false;
    this.#command = opts.command;
    for (const [event, listener] of this.#entries()) this.#command.bus.on(event, listener);
  }

  /**
   * Staff start hearing the command room; a township terminal is online and
   * gets the banner of every alert it has not acknowledged (it may have been
   * offline when it was issued).
   */
  connected(socket: BeaconSocket): void {
    const { claims } = socket.data;
    if (isStaff(claims)) void socket.join(STAFF_ROOM);
    const townshipId = terminalTownship(claims);
    if (!townshipId) return;
    void socket.join(townshipRoom(townshipId));
    this.#command.presence.socketConnected(socket.id, townshipId);
    this.#command.warnings
      .pendingAlerts(townshipId)
      .then((alerts) => {
        for (const alert of alerts) socket.emit('alert:new', alert);
      })
      // The terminal asks again on its next connection; escalation re-sends meanwhile.
      .catch((err: unknown) => logger.warn({ err, townshipId }, 'pending alerts not sent'));
  }

  disconnected(socket: BeaconSocket): void {
    const townshipId = terminalTownship(socket.data.claims);
    if (townshipId) this.#command.presence.socketDisconnected(socket.id, townshipId);
  }

  close(): void {
    for (const [event, listener] of this.#entries()) this.#command.bus.off(event, listener);
  }

  /** undefined for no township (`io.to([])` would broadcast to every socket). */
  #toTownships(townshipIds: readonly string[]) {
    return townshipIds.length === 0 ? undefined : this.#io.to(townshipIds.map(townshipRoom));
  }

  #entries() {
    // Object.entries loses the key/listener pairing in the types; each pair is correct by construction above.
    return Object.entries(this.#listeners) as [keyof CommandEvents, (...args: unknown[]) => void][];
  }
}
