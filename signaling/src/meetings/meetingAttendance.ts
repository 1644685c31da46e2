/**
 * Attendance against the invitation: for each invitee of a booking, whether
 * anyone of it was in the booking's room while the meeting ran (the room's
 * attendance intervals, 签到, of the meetings that overlap the booking's time)
 * — the absent ones are the list a secretary sends upward.
 */
import type { AttendanceRow, AttendanceStatus, BookingAttendanceRow, BookingView, InviteeView } from '@beacon/protocol';
import type { Store } from '../store/index.ts';

/** Someone in the room this long before the start (the chair opening early) counts as present. */
const EARLY_MS = 30 * 60_000;
/**
 * Joining this long after the start is still in time (a terminal's auto-join, a slow network); later is late.
 * Leaving for good this long before the end is leaving early.
 */
export const ATTENDANCE_GRACE_MS = 5 * 60_000;

type Interval = { joinedAt: string; leftAt: string | null };

/** Late counts from the start; left early only once the end has passed (before that, anyone may come back). */
export function statusOf(
  booking: Pick<BookingView, 'startsAt' | 'endsAt'>,
  firstJoinedAt: string | null,
  lastLeftAt: string | null,
  now: Date,
): AttendanceStatus {
  if (firstJoinedAt === null) return 'absent';
  if (Date.parse(firstJoinedAt) > Date.parse(booking.startsAt) + ATTENDANCE_GRACE_MS) return 'late';
  const end = Date.parse(booking.endsAt);
  if (lastLeftAt !== null && now.getTime() >= end && Date.parse(lastLeftAt) < end - ATTENDANCE_GRACE_MS) {
    return 'left_early';
  }
  return 'present';
}

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
    const firstJoinedAt = intervals[0]?.joinedAt ?? null;
    const lastLeftAt = open ? null : lastLeft || null;
    return {
      kind: invitee.kind,
      id: invitee.id,
      name: invitee.name,
      present: intervals.length > 0,
      status: statusOf(booking, firstJoinedAt, lastLeftAt, now),
      firstJoinedAt,
      lastLeftAt,
      attendees: invitee.attendees,
    };
  });
}
