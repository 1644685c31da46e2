/**
 * Turns duty events into socket.io emits to the command room's staff (the
 * socket.io room staff consoles join in CommandEmitter). With Redis the
 * adapter carries them to staff on every node.
 */

import { STAFF_ROOM } from '../socket/CommandEmitter.ts';
import type { BeaconServer } from '../socket/types.ts';
import type { DutyDesk, DutyEvents } from './DutyDesk.ts';

type Listener<K extends keyof DutyEvents> = (...args: DutyEvents[K]) => void;

export class DutyEmitter {
  readonly #duty: DutyDesk;
  readonly #listeners: { [K in keyof DutyEvents]: Listener<K> };

  constructor(opts: { io: BeaconServer; duty: DutyDesk }) {
    this.#duty = opts.duty;
    const staff = () => opts.io.to(STAFF_ROOM);
    this.#listeners = {
      roster: (data) => staff().emit('duty:roster', data),
      log: (entry) => staff().emit('duty:log', entry),
      handover: (handover) => staff().emit('duty:handover', handover),
    };
    this.#duty.on('roster', this.#listeners.roster);
    this.#duty.on('log', this.#listeners.log);
    this.#duty.on('handover', this.#listeners.handover);
  }

  close(): void {
    this.#duty.off('roster', this.#listeners.roster);
    this.#duty.off('log', this.#listeners.log);
    this.#duty.off('handover', this.#listeners.handover);
  }
}
