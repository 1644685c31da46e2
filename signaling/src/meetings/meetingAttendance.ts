/**
 * Attendance against the invitation: for each invitee of a booking, whether
 * anyone of it was in the booking's room while the meeting ran (the room's
 * attendance intervals, 签到, of the meetings that overlap the booking's time)
 * — the absent ones are the list a secretary sends upward.
 */
import type { AttendanceRow, BookingAttendanceRow, BookingView, InviteeView } from '@beacon/protocol';
import type { Store } from '../store/index.ts';

/** Someone in the room this long before the start (the chair opening early) counts as present. */
const EARLY_MS = 30 * 60_000;

type Interval = { joinedAt: string; leftAt: string | null };

function matches(invitee: InviteeView, row: AttendanceRow, departmentOf: Map<string, string | null>): boolean {
  switch (invitee.kind) {
    case 'township':
      return row.townshipId === invitee.id;
    case 'department':
      return departmentOf.get(row.userId) === invitee.id;
    case 'user':
      return row.userId === invitee.id;
    case 'phone':
      // A desk phone joins as "<unit>·<extension>" (sip/phoneIdentity.ts).
      return row.displayName.endsWith(`·${invitee.id}`);
  }
}

export async function attendanceOf(store: Store, booking: BookingView, now: Date): Promise<BookingAttendanceRow[]> {
  const from = Date.parse(booking.startsAt) - EARLY_MS;
  const to = Math.min(Date.parse(booking.endsAt), now.getTime());
  const meetings = (await store.meetings.listByRoom(booking.roomId)).filter(
    (m) => Date.parse(m.startedAt) < to && (m.endedAt === null || Date.parse(m.endedAt) > from),
  );
  const rows = (await Promise.all(meetings.map((m) => store.attendance.listByMeeting(m.id, now)))).flat();
  const departmentOf = new Map<string, string | null>();
  if (booking.invitees.some((i) => i.kind === 'department')) {
    for (const userId of new Set(rows.map((r) => r.userId))) {
      departmentOf.set(userId, (await store.users.findById(userId))?.departmentId ?? null);
    }
  }
  return booking.invitees.map((invitee) => {
    const intervals: Interval[] = rows
      .filter((row) => matches(invitee, row, departmentOf))
      .flatMap((row) => row.intervals)
      .filter((i) => Date.parse(i.joinedAt) < to && (i.leftAt === null || Date.parse(i.leftAt) > from))
      .sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
    const open = intervals.some((i) => i.leftAt === null);
    const lastLeft =
      intervals
        .map((i) => i.leftAt ?? '')
        .sort()
        .pop() ?? null;
    return {
      kind: invitee.kind,
      id: invitee.id,
      name: invitee.name,
      present: intervals.length > 0,
      firstJoinedAt: intervals[0]?.joinedAt ?? null,
      lastLeftAt: open ? null : lastLeft || null,
      attendees: invitee.attendees,
    };
  });
}
