/**
 * Meetings on a schedule (会议预约): a booking names a title, a kind, its time,
 * a room (a standing one or one made for it), a chair and the invitees; the
 * invitees get a notice (会议通知) and answer with a receipt (回执) naming who
 * attends. REST bodies, views and the socket events of bookings live here;
 * materials are uploaded on their own (POST /meetings/materials, raw body)
 * and referred to by id, like report photos.
 */
import { z } from 'zod';
import type { AttendanceStatus } from './meetingMinutes.ts';
import type { BookingState, InviteeKind, MeetingKind, NoticeReason, ReceiptStatus } from './meetingVocabulary.ts';
import { INVITEE_KINDS, MEETING_KINDS } from './meetingVocabulary.ts';

export * from './meetingVocabulary.ts';

const id = z.string().min(1).max(128);
const isoDateTime = z.iso.datetime({ offset: true });

export const inviteeSchema = z.strictObject({ kind: z.enum(INVITEE_KINDS), id });
export type InviteeInput = z.infer<typeof inviteeSchema>;

/** Minutes before the start at which the invitees are reminded. */
const remindersSchema = z
  .array(
    z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  )
  .max(5);

const bookingFields = {
  title: z.string().trim().min(1).max(200),
  kind: z.enum(MEETING_KINDS),
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  /** A standing room's id; null: a new room made for this meeting, open to its invitees only. */
  roomId: id.nullable(),
  /** The account that chairs (主持): its console opens the room at the start. */
  chairId: id,
  invitees: z.array(inviteeSchema).min(1).max(500),
  /** Default: a day and a quarter of an hour before. */
  reminders: remindersSchema.default([24 * 60, 15]),
  /** The meeting's recording starts with it. */
  record: z.boolean().default(false),
  /** Invited desk phones are dialled in at the start. */
  dialPhones: z.boolean().default(false),
  /** Materials uploaded by the same account (POST /meetings/materials), not yet part of a booking. */
  materialIds: z.array(id).max(20).default([]),
};

/** POST /meetings. `repeat`: a weekly meeting (例会) on the same weekday and time until `until` (a date, inclusive). */
export const newBookingSchema = z.strictObject({
  ...bookingFields,
  repeat: z
    .strictObject({ every: z.literal('week'), until: z.iso.date() })
    .nullable()
    .default(null),
});
export type NewBooking = z.infer<typeof newBookingSchema>;

/** PATCH /meetings/:id: any field of one occurrence; new materials are added to those it has. */
export const bookingEditSchema = z.strictObject({
  title: bookingFields.title.optional(),
  kind: bookingFields.kind.optional(),
  startsAt: isoDateTime.optional(),
  endsAt: isoDateTime.optional(),
  roomId: id.optional(),
  chairId: id.optional(),
  invitees: bookingFields.invitees.optional(),
  reminders: remindersSchema.optional(),
  record: z.boolean().optional(),
  dialPhones: z.boolean().optional(),
  materialIds: z.array(id).max(20).optional(),
});
export type BookingEdit = z.infer<typeof bookingEditSchema>;

/** POST /meetings/:id/move. */
export const bookingMoveSchema = z.strictObject({ startsAt: isoDateTime, endsAt: isoDateTime });

/** POST /meetings/:id/cancel. */
export const bookingCancelSchema = z.strictObject({ reason: z.string().trim().max(500).default('') });

/** GET /meetings?from=&to=: bookings that overlap the range (at most 62 days). */
export const bookingRangeSchema = z.strictObject({ from: isoDateTime, to: isoDateTime });

/** POST /meetings/:id/receipt (回执): the unit confirms and names who attends. */
export const bookingReceiptSchema = z.strictObject({
  attendees: z.array(z.string().trim().min(1).max(50)).min(1).max(50),
});

/** POST /meetings/notices/delivered: notices shown on a terminal (the booking page says "delivered"). */
export const noticesDeliveredSchema = z.strictObject({ bookingIds: z.array(id).min(1).max(200) });

export interface InviteeView {
  kind: InviteeKind;
  id: string;
  name: string;
  /** The receipt: not yet, shown on a terminal, confirmed with who attends. */
  status: ReceiptStatus;
  deliveredAt: string | null;
  confirmedAt: string | null;
  confirmedByName: string | null;
  attendees: string[];
}

export interface MaterialView {
  id: string;
  name: string;
  /** Detected from the content, never from the name. */
  mime: string;
  bytes: number;
}

export interface BookingView {
  id: string;
  /** The occurrences of one weekly meeting share it (the first occurrence's id). */
  seriesId: string;
  title: string;
  kind: MeetingKind;
  startsAt: string;
  endsAt: string;
  roomId: string;
  roomTitle: string;
  /** The room was made for this booking (open to its invitees only). */
  roomCreated: boolean;
  chairId: string;
  chairName: string;
  state: BookingState;
  record: boolean;
  dialPhones: boolean;
  reminders: number[];
  repeatUntil: string | null;
  cancelReason: string | null;
  createdByName: string;
  createdAt: string;
  updatedAt: string;
  invitees: InviteeView[];
  materials: MaterialView[];
}

/** A booking overlaps another one in the same room or with the same chair: warned, not refused. */
export interface BookingConflict {
  reason: 'room_busy' | 'chair_busy';
  bookingId: string;
  title: string;
  startsAt: string;
  endsAt: string;
}

/** The answer of create, edit and move. */
export interface BookingSaved {
  booking: BookingView;
  /** How many occurrences were stored (1 without repeat). */
  occurrences: number;
  conflicts: BookingConflict[];
}

/** A notice (会议通知) as an invited unit sees it, with its own receipt. */
export interface MeetingNotice {
  bookingId: string;
  title: string;
  kind: MeetingKind;
  startsAt: string;
  endsAt: string;
  roomId: string;
  roomTitle: string;
  chairName: string;
  state: BookingState;
  reason: NoticeReason;
  materials: MaterialView[];
  receipt: Pick<InviteeView, 'status' | 'confirmedAt' | 'attendees'>;
}

/** An invitee against the meeting's attendance (签到), after or during the meeting. */
export interface BookingAttendanceRow {
  kind: InviteeKind;
  id: string;
  name: string;
  present: boolean;
  /** Joined in time, late, left before the end, or never joined. */
  status: AttendanceStatus;
  firstJoinedAt: string | null;
  lastLeftAt: string | null;
  /** Confirmed attendees (回执) for comparison. */
  attendees: string[];
}

export interface BookingServerEvents {
  /** To an invited unit's or account's sockets: a notice, new or again (moved, cancelled, reminder). */
  'meeting:notice': (notice: MeetingNotice) => void;
  /** To staff: a booking changed (a receipt, a move, the start). */
  'meeting:booking': (booking: BookingView) => void;
  /** To the chair's sockets at the start: open the room. */
  'meeting:open': (data: { bookingId: string; roomId: string; title: string }) => void;
}
