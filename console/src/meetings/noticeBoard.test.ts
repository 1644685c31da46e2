import type { MeetingNotice } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { attendeeNames, bannerNotice, undelivered, upsertNotice } from './noticeBoard.ts';

const notice = (bookingId: string, startsAt: string, over: Partial<MeetingNotice> = {}): MeetingNotice => ({
  bookingId,
  title: bookingId,
  kind: 'work',
  startsAt,
  endsAt: startsAt,
  roomId: 'r',
  roomTitle: 'r',
  chairName: 'c',
  state: 'scheduled',
  reason: 'new',
  materials: [],
  receipt: { status: 'pending', confirmedAt: null, attendees: [] },
  ...over,
});
const confirmed = { status: 'confirmed' as const, confirmedAt: '2030-01-01T00:00:00Z', attendees: ['张三'] };

describe('a terminal’s meeting notices', () => {
  it('keeps one notice per booking, by start', () => {
    const list: MeetingNotice[] = [];
    upsertNotice(list, notice('b', '2030-01-02T00:00:00Z'));
    upsertNotice(list, notice('a', '2030-01-01T00:00:00Z'));
    upsertNotice(list, notice('b', '2030-01-03T00:00:00Z', { reason: 'moved' }));
    expect(list.map((n) => [n.bookingId, n.reason])).toEqual([
      ['a', 'new'],
      ['b', 'moved'],
    ]);
  });

  it('shows a fresh cancellation first, then the oldest notice awaiting its receipt, unless put off', () => {
    const list = [
      notice('a', '2030-01-01T00:00:00Z', { receipt: confirmed }),
      notice('b', '2030-01-02T00:00:00Z'),
      notice('c', '2030-01-03T00:00:00Z', { state: 'cancelled', reason: 'cancelled', receipt: confirmed }),
    ];
    expect(bannerNotice(list, new Set(), new Set())?.bookingId).toBe('b');
    expect(bannerNotice(list, new Set(['c']), new Set())?.bookingId).toBe('c');
    expect(bannerNotice(list, new Set(['c']), new Set(['c', 'b']))).toBeNull();
    expect(undelivered(list)).toEqual(['b']);
  });

  it('reads attendee names from lines or commas', () => {
    expect(attendeeNames('张镇长\n李主任，王干事、张镇长\n\n')).toEqual(['张镇长', '李主任', '王干事']);
  });
});
