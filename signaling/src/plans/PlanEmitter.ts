/**
 * Turns response events into socket.io emits: a checklist item goes to the
 * command room's staff and to the sockets of the unit it is for (a township's
 * terminals sit in `township:<id>`, a department's accounts in
 * `department:<id>`, joined by ReportEmitter); a response change goes to staff.
 */
import type { ChecklistItemView } from '@beacon/protocol';
import { STAFF_ROOM } from '../socket/CommandEmitter.ts';
import type { BeaconServer } from '../socket/types.ts';
import type { ResponseDesk } from './ResponseDesk.ts';

const rooms = (item: ChecklistItemView): string[] =>
  item.unitKind === 'desk' || item.unitId === null ? [STAFF_ROOM] : [STAFF_ROOM, `${item.unitKind}:${item.unitId}`];

export class PlanEmitter {
  readonly #desk: ResponseDesk;
  readonly #onChecklist: (item: ChecklistItemView) => void;
  readonly #onResponse: (change: { incidentId: string }) => void;

  constructor(opts: { io: BeaconServer; desk: ResponseDesk }) {
    this.#desk = opts.desk;
    this.#onChecklist = (item) => opts.io.to(rooms(item)).emit('checklist:updated', item);
    this.#onResponse = (change) => opts.io.to(STAFF_ROOM).emit('response:updated', change);
    this.#desk.on('checklist', this.#onChecklist);
    this.#desk.on('response', this.#onResponse);
  }

  close(): void {
    this.#desk.off('checklist', this.#onChecklist);
    this.#desk.off('response', this.#onResponse);
  }
}
