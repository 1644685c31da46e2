/** Rows of the booking tables and how they become records (bookingRecords.ts reads and writes them). */
import type { BookingState, InviteeKind } from '@beacon/protocol';
import type { BookingRecord, InviteeRecord, MaterialRecord } from './bookingTypes.ts';

export interface BookingRow {
  id: string;
  series_id: string;
  title: string;
  kind: BookingRecord['kind'];
  starts_at: string;
  ends_at: string;
  room_id: string;
  room_title: string | null;
  room_created: number;
  chair_id: string;
  chair_name: string | null;
  state: BookingState;
  record: number;
  dial_phones: number;
  reminders: string;
  reminders_sent: number;
  repeat_until: string | null;
  cancel_reason: string | null;
  created_by: string;
  created_by_name: string | null;
  created_at: string;
  updated_at: string;
}

export const BOOKING_SELECT = `SELECT b.*, r.title AS room_title, c.display_name AS chair_name, u.display_name AS created_by_name
  FROM bookings b
  LEFT JOIN rooms r ON r.id = b.room_id
  LEFT JOIN users c ON c.id = b.chair_id
  LEFT JOIN users u ON u.id = b.created_by`;

export const toBooking = (r: BookingRow): BookingRecord => ({
  id: r.id,
  seriesId: r.series_id,
  title: r.title,
  kind: r.kind,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  roomId: r.room_id,
  roomTitle: r.room_title ?? r.room_id,
  roomCreated: Number(r.room_created) === 1,
  chairId: r.chair_id,
  chairName: r.chair_name ?? r.chair_id,
  state: r.state,
  record: Number(r.record) === 1,
  dialPhones: Number(r.dial_phones) === 1,
  reminders: JSON.parse(r.reminders) as number[],
  remindersSent: Number(r.reminders_sent),
  repeatUntil: r.repeat_until,
  cancelReason: r.cancel_reason,
  createdBy: r.created_by,
  createdByName: r.created_by_name ?? r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface InviteeRow {
  kind: InviteeKind;
  ref_id: string;
  name: string;
  delivered_at: string | null;
  confirmed_at: string | null;
  confirmed_by: string | null;
  confirmed_by_name: string | null;
  attendees: string | null;
}

export const toInvitee = (r: InviteeRow): InviteeRecord => ({
  kind: r.kind,
  refId: r.ref_id,
  name: r.name,
  deliveredAt: r.delivered_at,
  confirmedAt: r.confirmed_at,
  confirmedBy: r.confirmed_by,
  confirmedByName: r.confirmed_by_name,
  attendees: JSON.parse(r.attendees ?? '[]') as string[],
});

export interface MaterialRow {
  id: string;
  booking_id: string | null;
  name: string;
  mime: string;
  bytes: number;
  uploaded_by: string;
  uploaded_at: string;
}

export const toMaterial = (r: MaterialRow): MaterialRecord => ({
  id: r.id,
  bookingId: r.booking_id,
  name: r.name,
  mime: r.mime,
  bytes: Number(r.bytes),
  uploadedBy: r.uploaded_by,
  uploadedAt: r.uploaded_at,
});
