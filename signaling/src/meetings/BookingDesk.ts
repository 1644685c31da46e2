/**
 * Meetings on a schedule (会议预约): the city side books, edits, moves and
 * cancels meetings; each change is checked before anything is stored (coded
 * errors: `booking_invalid`, `invitee_unavailable`), audited with the booking
 * before and after, and reported as events — `booking` for staff pages,
 * `notice` for the invitees (MeetingEmitter turns both into socket emits).
 * Overlaps in the same room or with the same chair come back as conflicts:
 * a secretary may mean them (two rooms of one building), so they are warned,
 * never refused.
 *
 * Who books: the command room's staff (admin, chair, duty officer). The
 * office that books a city meeting is the leaders' office, whose accounts are
 * city accounts; the duty officer books the emergency consultations.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import {
  BeaconError,
  type BookingConflict,
  type BookingEdit,
  type BookingSaved,
  type BookingView,
  type NewBooking,
  type NoticeReason,
  type RoomKind,
} from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import type { BookingChanges, BookingRecord, NewBookingRecord } from '../store/bookingTypes.ts';
import type { RoomMember, StoreRepositories } from '../store/StoreTypes.ts';
import { resolveChair, resolveInvitees, resolveRoom } from './bookingInvitees.ts';
import { bookingInvalid, checkTimes, conflictsOf, occurrences, remindersDue } from './bookingRules.ts';
import { bookingView } from './bookingViews.ts';

const logger = createLogger('BookingDesk');
/** The calendar asks for a week or a month; more than this at once is a mistake. */
const MAX_RANGE_MS = 62 * 24 * 60 * 60_000;

const ROOM_KIND: Record<NewBooking['kind'], RoomKind> = {
  work: 'meeting',
  training: 'training',
  emergency_consultation: 'emergency',
};

export type BookingDeskEvents = {
  /** A booking was created or changed (staff pages refresh it). */
  booking: [BookingView];
  /** The invitees must hear of it again: new, changed, moved, cancelled, reminded, starting. */
  notice: [BookingView, NoticeReason];
};

/** Units invited to a booking: who may join its members-only room. */
const unitsOf = (invitees: readonly { kind: string; refId: string }[]): RoomMember[] =>
  invitees
    .filter((i) => i.kind === 'township' || i.kind === 'department')
    .map((i) => ({ kind: i.kind as RoomMember['kind'], id: i.refId }));

export class BookingDesk extends TypedEmitter<BookingDeskEvents> {
  readonly #bus: CommandBus;

  constructor(opts: { bus: CommandBus }) {
    super();
    this.#bus = opts.bus;
  }

  get #store() {
    return this.#bus.store;
  }

  async create(actor: Actor, input: NewBooking, now = new Date()): Promise<BookingSaved> {
    requireStaff(actor);
    checkTimes(input.startsAt, input.endsAt, now);
    const slots = occurrences(input.startsAt, input.endsAt, input.repeat);
    const invitees = await resolveInvitees(this.#store, input.invitees);
    await resolveChair(this.#store, input.chairId);
    const standing = input.roomId === null ? null : await resolveRoom(this.#store, input.roomId);
    const seriesId = randomUUID();
    const at = now.toISOString();
    const roomId = standing?.id ?? `meeting-${seriesId.slice(0, 8)}`;
    const records: NewBookingRecord[] = slots.map((slot, index) => ({
      id: index === 0 ? seriesId : randomUUID(),
      seriesId,
      title: input.title,
      kind: input.kind,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      roomId,
      roomCreated: standing === null,
      chairId: input.chairId,
      record: input.record,
      dialPhones: input.dialPhones,
      reminders: input.reminders,
      remindersSent: remindersDue(slot.startsAt, input.reminders, now),
      repeatUntil: input.repeat?.until ?? null,
      createdBy: actor.userId,
      createdAt: at,
      updatedAt: at,
    }));
    const conflicts = await this.#conflicts(records, roomId, input.chairId, null);
    const booking = await this.#bus.audited(
      actor,
      async (tx) => {
        if (standing === null) {
          // A room of its own, open to the invitees only; its creator is the chair (rooms/permissions.ts roleOnJoin).
          await tx.rooms.create({
            id: roomId,
            title: input.title,
            kind: ROOM_KIND[input.kind],
            createdBy: input.chairId,
          });
          await tx.roomMembers.restrict(roomId, unitsOf(invitees));
        } else if ((await tx.roomMembers.get(roomId)).membersOnly) {
          await tx.roomMembers.restrict(roomId, unitsOf(invitees));
        }
        await tx.bookings.create(records, invitees, input.materialIds);
        return this.view((await tx.bookings.get(seriesId)) as BookingRecord, tx);
      },
      (saved) => ({
        action: 'meeting.book',
        target: seriesId,
        detail: { before: null, after: summary(saved), occurrences: records.length, conflicts: conflicts.length },
      }),
    );
    logger.info(
      { bookingId: seriesId, occurrences: records.length, invitees: invitees.length, conflicts: conflicts.length },
      'meeting booked',
    );
    for (const record of records) {
      const view = record.id === seriesId ? booking : await this.get(actor, record.id);
      this.safeEmit('booking', view);
      // Every occurrence is announced: a terminal's list shows the weekly meeting's next dates.
      this.safeEmit('notice', view, 'new');
    }
    return { booking, occurrences: records.length, conflicts };
  }

  /** Changes one occurrence. A new time resets the receipts (the units confirm again) and re-notifies. */
  async edit(actor: Actor, id: string, input: BookingEdit, now = new Date()): Promise<BookingSaved> {
    requireStaff(actor);
    const before = await this.get(actor, id);
    if (before.state !== 'scheduled') {
      throw new BeaconError('invalid_state', '会议已开始、结束或取消，不能修改 / the meeting is no longer scheduled');
    }
    const startsAt = input.startsAt ?? before.startsAt;
    const endsAt = input.endsAt ?? before.endsAt;
    const moved = startsAt !== before.startsAt || endsAt !== before.endsAt;
    if (moved) checkTimes(startsAt, endsAt, now);
    const changes: BookingChanges = { ...input, invitees: undefined };
    if (input.invitees) changes.invitees = await resolveInvitees(this.#store, input.invitees);
    if (input.chairId) await resolveChair(this.#store, input.chairId);
    if (input.roomId && input.roomId !== before.roomId) {
      await resolveRoom(this.#store, input.roomId);
      if (before.roomCreated) throw bookingInvalid('roomId', '专用会议室不能更换 / this meeting has its own room');
    }
    if (moved) {
      changes.resetReceipts = true;
      changes.remindersSent = remindersDue(startsAt, input.reminders ?? before.reminders, now);
    } else if (input.reminders) {
      changes.remindersSent = remindersDue(startsAt, input.reminders, now);
    }
    const roomId = input.roomId ?? before.roomId;
    const chairId = input.chairId ?? before.chairId;
    const conflicts = await this.#conflicts([{ id, startsAt, endsAt }], roomId, chairId, id);
    const after = await this.#bus.audited(
      actor,
      async (tx) => {
        await tx.bookings.update(id, changes, actor.userId, now.toISOString());
        if (changes.invitees && (await tx.roomMembers.get(roomId)).membersOnly) {
          await tx.roomMembers.restrict(roomId, unitsOf(changes.invitees));
        }
        return this.view((await tx.bookings.get(id)) as BookingRecord, tx);
      },
      (changed) => ({
        action: moved ? 'meeting.move' : 'meeting.edit',
        target: id,
        detail: { before: summary(before), after: summary(changed) },
      }),
    );
    logger.info({ bookingId: id, moved }, 'meeting changed');
    this.safeEmit('booking', after);
    this.safeEmit('notice', after, moved ? 'moved' : 'changed');
    // Units taken off the list hear that the meeting is off for them (取消通知), with their old receipt.
    const dropped = before.invitees.filter((b) => !after.invitees.some((a) => a.kind === b.kind && a.id === b.id));
    if (dropped.length > 0) this.safeEmit('notice', { ...after, invitees: dropped }, 'cancelled');
    return { booking: after, occurrences: 1, conflicts };
  }

  async cancel(actor: Actor, id: string, reason: string): Promise<BookingView> {
    requireStaff(actor);
    const before = await this.get(actor, id);
    const after = await this.#bus.audited(
      actor,
      async (tx) => {
        if (!(await tx.bookings.transition(id, 'scheduled', 'cancelled', { cancelReason: reason }))) {
          throw new BeaconError('invalid_state', '会议已开始、结束或取消 / the meeting is no longer scheduled');
        }
        return this.view((await tx.bookings.get(id)) as BookingRecord, tx);
      },
      (cancelled) => ({
        action: 'meeting.cancel',
        target: id,
        detail: { before: summary(before), after: summary(cancelled), reason },
      }),
    );
    logger.info({ bookingId: id }, 'meeting cancelled');
    this.safeEmit('booking', after);
    this.safeEmit('notice', after, 'cancelled');
    return after;
  }

  /** Bookings that overlap [from, to) (the calendar's day or week), cancelled ones included. */
  async list(actor: Actor, from: string, to: string): Promise<BookingView[]> {
    requireStaff(actor);
    const span = Date.parse(to) - Date.parse(from);
    if (!(span > 0) || span > MAX_RANGE_MS) throw bookingInvalid('to', 'the range must be 1 ms to 62 days long');
    const records = await this.#store.bookings.inRange(from, to);
    return Promise.all(records.map((r) => this.view(r)));
  }

  async get(actor: Actor, id: string): Promise<BookingView> {
    requireStaff(actor);
    const record = await this.#store.bookings.get(id);
    if (!record) throw BeaconError.notFound('meeting');
    return this.view(record);
  }

  /** `repos`: a transaction's, to see what it wrote (default: the store's). */
  async view(record: BookingRecord, repos: Pick<StoreRepositories, 'bookings'> = this.#store): Promise<BookingView> {
    const [invitees, materials] = await Promise.all([
      repos.bookings.invitees(record.id),
      repos.bookings.materials(record.id),
    ]);
    return bookingView(record, invitees, materials);
  }

  /** Tells staff and invitees of a change made elsewhere (a receipt, the scheduler). */
  announce(view: BookingView, reason: NoticeReason | null): void {
    this.safeEmit('booking', view);
    if (reason) this.safeEmit('notice', view, reason);
  }

  async #conflicts(
    slots: readonly { id: string; startsAt: string; endsAt: string }[],
    roomId: string,
    chairId: string,
    exceptId: string | null,
  ): Promise<BookingConflict[]> {
    const conflicts: BookingConflict[] = [];
    for (const slot of slots) {
      const others = await this.#store.bookings.overlapping(slot.startsAt, slot.endsAt, exceptId);
      conflicts.push(...conflictsOf({ ...slot, roomId, chairId }, others));
    }
    return conflicts;
  }
}

/** What the audit keeps of a booking: enough to see what changed, not the receipts. */
function summary(b: BookingView): Record<string, unknown> {
  return {
    title: b.title,
    kind: b.kind,
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    roomId: b.roomId,
    chairId: b.chairId,
    state: b.state,
    record: b.record,
    dialPhones: b.dialPhones,
    reminders: b.reminders,
    invitees: b.invitees.map((i) => `${i.kind}:${i.id}`),
    materials: b.materials.map((m) => m.id),
  };
}
