/** The repository of meetings on a schedule (会议预约): bookings, invitees with their receipts, materials. */
import type { BookingState, BookingView, InviteeKind, MeetingKind } from '@beacon/protocol';

/** A booking as stored: the view without its invitees and materials (read on their own), plus what only the server keeps. */
export interface BookingRecord extends Omit<BookingView, 'invitees' | 'materials'> {
  /** Minutes before the start, largest first. */
  reminders: number[];
  /** How many of `reminders` went out already. */
  remindersSent: number;
  createdBy: string;
}

export type NewBookingRecord = Omit<
  BookingRecord,
  'roomTitle' | 'chairName' | 'createdByName' | 'state' | 'cancelReason'
>;

/** An invitee with its receipt (回执). */
export interface InviteeRecord {
  kind: InviteeKind;
  refId: string;
  name: string;
  deliveredAt: string | null;
  confirmedAt: string | null;
  confirmedBy: string | null;
  confirmedByName: string | null;
  attendees: string[];
}

export type NewInvitee = Pick<InviteeRecord, 'kind' | 'refId' | 'name'>;

export interface MaterialRecord {
  id: string;
  bookingId: string | null;
  name: string;
  mime: string;
  bytes: number;
  uploadedBy: string;
  uploadedAt: string;
}

/** What an edit changes; absent fields stay. */
export interface BookingChanges {
  title?: string;
  kind?: MeetingKind;
  startsAt?: string;
  endsAt?: string;
  roomId?: string;
  chairId?: string;
  reminders?: number[];
  record?: boolean;
  dialPhones?: boolean;
  /** The whole new list: those kept keep their receipts, the others are removed with theirs. */
  invitees?: NewInvitee[];
  /** Materials uploaded by `by` and not part of a booking yet (else `booking_invalid`, nothing written). */
  materialIds?: string[];
  /** Receipts start over (a moved meeting is confirmed again). */
  resetReceipts?: boolean;
  /** Reminders counted as sent (a moved meeting reminds again). */
  remindersSent?: number;
}

export interface BookingRepository {
  /**
   * Stores the occurrences (one row each, the first one's id is the series id), each with the invitees and an
   * empty receipt per invitee, and attaches the materials to the first occurrence — all or nothing.
   */
  create(occurrences: NewBookingRecord[], invitees: NewInvitee[], materialIds: string[]): Promise<void>;
  get(id: string): Promise<BookingRecord | undefined>;
  invitees(bookingId: string): Promise<InviteeRecord[]>;
  materials(bookingId: string): Promise<MaterialRecord[]>;
  /** Bookings that overlap [from, to), cancelled ones included, by start. */
  inRange(from: string, to: string): Promise<BookingRecord[]>;
  /** Scheduled or started bookings that overlap [from, to), except `exceptId`. */
  overlapping(from: string, to: string, exceptId: string | null): Promise<BookingRecord[]>;
  /** Applies the changes in one transaction (`updatedAt` set to `at`); `by` uploaded the materials. */
  update(id: string, changes: BookingChanges, by: string, at: string): Promise<void>;
  /** Compare-and-set of the state: true when this call moved it (so with several nodes one of them acts). */
  transition(id: string, from: BookingState, to: BookingState, extra?: { cancelReason?: string }): Promise<boolean>;
  /** Compare-and-set of the reminder count (`sent` → `to`) of a scheduled booking: true when this call counted it. */
  countReminder(id: string, sent: number, to: number): Promise<boolean>;
  /** Scheduled bookings starting by `until` and started ones ending by `now`: what the scheduler looks at. */
  active(until: string, now: string): Promise<BookingRecord[]>;
  /** Bookings a township, department, account or phone is invited to that end after `after`, by start. */
  forInvitee(kind: InviteeKind, refId: string, after: string): Promise<BookingRecord[]>;
  /** The receipt's delivery time, set once; false when not invited. */
  delivered(bookingId: string, kind: InviteeKind, refId: string, at: string): Promise<boolean>;
  /** The receipt confirmed with who attends (a second confirmation replaces the list); false when not invited. */
  confirm(
    bookingId: string,
    kind: InviteeKind,
    refId: string,
    /** `by`: the account, null for a desk phone's "press 1". */
    receipt: { by: string | null; byName: string; attendees: string[]; at: string },
  ): Promise<boolean>;
  addMaterial(material: MaterialRecord): Promise<void>;
  material(id: string): Promise<MaterialRecord | undefined>;
  /** Removes materials never made part of a booking, uploaded before `before`; returns their ids. */
  discardUnusedMaterials(before: string): Promise<string[]>;
}
