/**
 * Turns booking events into socket.io emits: every change goes to the
 * command room's staff (`meeting:booking`); notices go to each invitee's
 * sockets — a township's terminals (`township:<id>`), a department's accounts
 * (`department:<id>`), a named account's sockets (`user:<id>`) — each with its
 * own receipt; the chair's sockets hear `meeting:open` at the start.
 */
import type { BookingView, InviteeView, NoticeReason } from '@beacon/protocol';
import { userRoom } from '../auth/AccountSessions.ts';
import { STAFF_ROOM } from '../socket/CommandEmitter.ts';
import type { BeaconServer } from '../socket/types.ts';
import type { BookingDesk } from './BookingDesk.ts';
import { noticeFor } from './bookingViews.ts';
import type { MeetingScheduler } from './MeetingScheduler.ts';

/** The socket.io room of an invitee; a desk phone has none (it is called). */
function roomOf(invitee: Pick<InviteeView, 'kind' | 'id'>): string | null {
  switch (invitee.kind) {
    case 'township':
    case 'department':
      return `${invitee.kind}:${invitee.id}`;
    case 'user':
      return userRoom(invitee.id);
    case 'phone':
      return null;
  }
}

export class MeetingEmitter {
  readonly #desk: BookingDesk;
  readonly #scheduler: MeetingScheduler;
  readonly #onBooking: (view: BookingView) => void;
  readonly #onNotice: (view: BookingView, reason: NoticeReason) => void;
  readonly #onOpen: (open: { chairId: string; bookingId: string; roomId: string; title: string }) => void;

  constructor(opts: { io: BeaconServer; desk: BookingDesk; scheduler: MeetingScheduler }) {
    const { io } = opts;
    this.#desk = opts.desk;
    this.#scheduler = opts.scheduler;
    this.#onBooking = (view) => io.to(STAFF_ROOM).emit('meeting:booking', view);
    this.#onNotice = (view, reason) => {
      for (const invitee of view.invitees) {
        const room = roomOf(invitee);
        const notice = noticeFor(view, invitee, reason);
        if (room && notice) io.to(room).emit('meeting:notice', notice);
      }
    };
    this.#onOpen = ({ chairId, bookingId, roomId, title }) =>
      io.to(userRoom(chairId)).emit('meeting:open', { bookingId, roomId, title });
    this.#desk.on('booking', this.#onBooking);
    this.#desk.on('notice', this.#onNotice);
    this.#scheduler.on('open', this.#onOpen);
  }

  close(): void {
    this.#desk.off('booking', this.#onBooking);
    this.#desk.off('notice', this.#onNotice);
    this.#scheduler.off('open', this.#onOpen);
  }
}
