/** How a booking's records become what staff see (BookingView) and what an invitee sees (MeetingNotice). */
import type {
  BookingView,
  InviteeKind,
  InviteeView,
  MaterialView,
  MeetingNotice,
  NoticeReason,
} from '@beacon/protocol';
import type { BookingRecord, InviteeRecord, MaterialRecord } from '../store/bookingTypes.ts';

export const inviteeView = (i: InviteeRecord): InviteeView => ({
  kind: i.kind,
  id: i.refId,
  name: i.name,
  status: i.confirmedAt ? 'confirmed' : i.deliveredAt ? 'delivered' : 'pending',
  deliveredAt: i.deliveredAt,
  confirmedAt: i.confirmedAt,
  confirmedByName: i.confirmedByName,
  attendees: i.attendees,
});

export const materialView = (m: MaterialRecord): MaterialView => ({
  id: m.id,
  name: m.name,
  mime: m.mime,
  bytes: m.bytes,
});

export function bookingView(b: BookingRecord, invitees: InviteeRecord[], materials: MaterialRecord[]): BookingView {
  return {
    id: b.id,
    seriesId: b.seriesId,
    title: b.title,
    kind: b.kind,
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    roomId: b.roomId,
    roomTitle: b.roomTitle,
    roomCreated: b.roomCreated,
    chairId: b.chairId,
    chairName: b.chairName,
    state: b.state,
    record: b.record,
    dialPhones: b.dialPhones,
    reminders: b.reminders,
    repeatUntil: b.repeatUntil,
    cancelReason: b.cancelReason,
    createdByName: b.createdByName,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
    invitees: invitees.map(inviteeView),
    materials: materials.map(materialView),
  };
}

/** The notice as the invitee `kind:id` sees it; null when it is not invited. */
export function noticeFor(
  booking: BookingView,
  invitee: { kind: InviteeKind; id: string },
  reason: NoticeReason,
): MeetingNotice | null {
  const own = booking.invitees.find((i) => i.kind === invitee.kind && i.id === invitee.id);
  if (!own) return null;
  return {
    bookingId: booking.id,
    title: booking.title,
    kind: booking.kind,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
    roomId: booking.roomId,
    roomTitle: booking.roomTitle,
    chairName: booking.chairName,
    state: booking.state,
    reason,
    materials: booking.materials,
    receipt: { status: own.status, confirmedAt: own.confirmedAt, attendees: own.attendees },
  };
}
