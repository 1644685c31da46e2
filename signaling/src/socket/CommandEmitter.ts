/**
 * Turns command-room events into socket.io emits. Like SipEmitter, sockets
 * are addressed by account, not by conference state: staff consoles sit in
 * one socket.io room, each township's terminals in `township:<id>`, each
 * department's in `department:<id>`, so an alert reaches a terminal whether or
 * not it is in a meeting.
 */

import type { Addressee } from '@beacon/protocol';
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
const departmentRoom = (id: string): string => `department:${id}`;
/** The socket.io room of a task's addressee. */
const addresseeRoom = (t: { townshipId: string | null; departmentId: string | null }): string =>
  t.townshipId !== null ? townshipRoom(t.townshipId) : departmentRoom(t.departmentId as string);

type Listener<K extends keyof CommandEvents> = (...args: CommandEvents[K]) => void;

/** A township account's browser: the township's video terminal. */
export function terminalTownship(claims: AuthClaims): string | null {
  return claims.role === 'township' && claims.device !== 'phone' ? claims.townshipId : null;
}

/** A department account's browser: the department's terminal (its page). */
export function terminalDepartment(claims: AuthClaims): string | null {
  return claims.role === 'department' && claims.device !== 'phone' ? (claims.departmentId ?? null) : null;
}

export class CommandEmitter {
  readonly #io: BeaconServer;
  readonly #command: CommandRoom;

  readonly #listeners: { [K in keyof CommandEvents]: Listener<K> } = {
    alert: ({ townshipIds, departmentIds, alert }) =>
      this.#toUnits(townshipIds, departmentIds)?.emit('alert:new', alert),
    warning: (warning) => this.#io.to(STAFF_ROOM).emit('warning:updated', warning),
    ack: (row) => this.#io.to(STAFF_ROOM).emit('ack:updated', row),
    incident: (incident) => this.#io.to(STAFF_ROOM).emit('incident:updated', incident),
    timeline: (entry) => this.#io.to(STAFF_ROOM).emit('incident:timeline', entry),
    task: (task) => this.#io.to([STAFF_ROOM, addresseeRoom(task)]).emit('task:updated', task),
    // Cluster mode: every node computes the merged presence and tells only its own staff (ClusterPresence).
    presence: (presence) =>
      (this.#localPresence ? this.#io.local : this.#io).to(STAFF_ROOM).emit('presence:updated', presence),
    invite: ({ townshipIds, departmentIds, roomId, title, by }) =>
      this.#toUnits(townshipIds, departmentIds)?.emit('meeting:invite', { roomId, title, by }),
    pull: ({ townshipId, roomId }) => this.#io.to(townshipRoom(townshipId)).emit('pull:request', { roomId }),
    boundaries: (change) => this.#io.to(STAFF_ROOM).emit('boundaries:updated', change),
    station: (state) => this.#io.to(STAFF_ROOM).emit('station:updated', state),
    sms: (recipient) => this.#io.to(STAFF_ROOM).emit('sms:updated', recipient),
    loudspeaker: (call) => this.#io.to(STAFF_ROOM).emit('loudspeaker:updated', call),
    camera: (camera) => this.#io.to(STAFF_ROOM).emit('camera:updated', camera),
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
    const departmentId = terminalDepartment(claims);
    if (townshipId) {
      void socket.join(townshipRoom(townshipId));
      this.#command.presence.socketConnected(socket.id, townshipId);
      this.#sendPending(socket, { kind: 'township', id: townshipId });
    } else if (departmentId) {
      // Presence (the map's markers) stays per township: a department has no place on the map.
      void socket.join(departmentRoom(departmentId));
      this.#sendPending(socket, { kind: 'department', id: departmentId });
    }
  }

  #sendPending(socket: BeaconSocket, to: Addressee): void {
    this.#command.warnings
      .pendingAlerts(to)
      .then((alerts) => {
        for (const alert of alerts) socket.emit('alert:new', alert);
      })
      // The terminal asks again on its next connection; escalation re-sends meanwhile.
      .catch((err: unknown) => logger.warn({ err, to }, 'pending alerts not sent'));
  }

  disconnected(socket: BeaconSocket): void {
    const townshipId = terminalTownship(socket.data.claims);
    if (townshipId) this.#command.presence.socketDisconnected(socket.id, townshipId);
  }

  close(): void {
    for (const [event, listener] of this.#entries()) this.#command.bus.off(event, listener);
  }

  /** undefined for no township nor department (`io.to([])` would broadcast to every socket). */
  #toUnits(townshipIds: readonly string[], departmentIds: readonly string[]) {
    const rooms = [...townshipIds.map(townshipRoom), ...departmentIds.map(departmentRoom)];
    return rooms.length === 0 ? undefined : this.#io.to(rooms);
  }

  #entries() {
    // Object.entries loses the key/listener pairing in the types; each pair is correct by construction above.
    return Object.entries(this.#listeners) as [keyof CommandEvents, (...args: unknown[]) => void][];
  }
}
