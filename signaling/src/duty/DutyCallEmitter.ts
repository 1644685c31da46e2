/**
 * Turns duty number events into socket.io: a call's card to the user rooms
 * of the officers it rings for (every staff console when nobody is
 * rostered), and a phone left in a finished call's room sent off the way
 * an ended meeting sends it (its leg hears why, then the gateway hangs up).
 */
import { userRoom } from '../auth/AccountSessions.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { STAFF_ROOM } from '../socket/CommandEmitter.ts';
import type { BeaconServer } from '../socket/types.ts';
import type { DutyCalls } from './DutyCalls.ts';
import type { DutyCallsEvents } from './DutyCallsTypes.ts';

type Listener<K extends keyof DutyCallsEvents> = (...args: DutyCallsEvents[K]) => void;

export class DutyCallEmitter {
  readonly #calls: DutyCalls;
  readonly #onCall: Listener<'call'>;
  readonly #onHangup: Listener<'hangup'>;

  constructor(opts: { io: BeaconServer; calls: DutyCalls; registry: RoomRegistry }) {
    this.#calls = opts.calls;
    this.#onCall = ({ call, userIds }) => {
      const to = userIds === null ? STAFF_ROOM : userIds.map(userRoom);
      opts.io.to(to).emit('duty:call', call);
    };
    this.#onHangup = ({ roomId, peerId, socketId }) => {
      // As for a meeting the chair ended: the phone hears that the call is over, then the gateway hangs up.
      opts.io.to(socketId).emit('room:ended', { by: '值班电话 / duty number' });
      opts.registry.get(roomId)?.remove(peerId);
    };
    this.#calls.on('call', this.#onCall);
    this.#calls.on('hangup', this.#onHangup);
  }

  close(): void {
    this.#calls.off('call', this.#onCall);
    this.#calls.off('hangup', this.#onHangup);
  }
}
