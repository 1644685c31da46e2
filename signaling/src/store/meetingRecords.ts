/**
 * What a meeting leaves behind in the store: the meeting row itself, its
 * chat, attendance (签到) and recordings.
 */

import type { AttendanceRow, ChatMessage, MeetingView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type {
  AttendanceRepository,
  ChatRepository,
  MeetingRepository,
  RecordingRecord,
  RecordingRepository,
} from './StoreTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

const now = (): string => new Date().toISOString();

interface MeetingRow {
  id: number;
  room_id: string;
  started_at: string;
  ended_at: string | null;
}
const toMeeting = (r: MeetingRow): MeetingView => ({
  id: r.id,
  roomId: r.room_id,
  startedAt: r.started_at,
  endedAt: r.ended_at,
});

export function meetingRepository(db: SqlQueries): MeetingRepository {
  const running = async (q: SqlQueries, roomId: string) =>
    (await q.get<{ id: number }>('SELECT id FROM meetings WHERE room_id = ? AND ended_at IS NULL', [roomId]))?.id;
  const byId = (q: SqlQueries, meetingId: number) =>
    q.get<MeetingRow>('SELECT * FROM meetings WHERE id = ?', [meetingId]);
  const start = (roomId: string): Promise<number> =>
    db.transaction(async (tx) => {
      const current = await running(tx, roomId);
      if (current !== undefined) return current;
      if (!(await tx.get('SELECT id FROM rooms WHERE id = ?', [roomId]))) {
        throw new BeaconError('room_not_found', `room ${roomId} not found`);
      }
      const inserted = await tx.get<{ id: number }>(
        'INSERT INTO meetings (room_id, started_at) VALUES (?, ?) RETURNING id',
        [roomId, now()],
      );
      return Number(inserted?.id);
    });
  return {
    start: async (roomId) => {
      try {
        return await start(roomId);
      } catch (err) {
        // Another node started it between our read and our insert (PostgreSQL, read committed): use theirs.
        const theirs = constraintOf(err) === 'unique' ? await running(db, roomId) : undefined;
        if (theirs === undefined) throw err;
        return theirs;
      }
    },
    end: (meetingId) =>
      db.transaction(async (tx) => {
        const at = now();
        const ended = await tx.run('UPDATE meetings SET ended_at = ? WHERE id = ? AND ended_at IS NULL', [
          at,
          meetingId,
        ]);
        if (ended.changes === 0 && !(await byId(tx, meetingId))) throw BeaconError.notFound('meeting');
        // Whoever is still marked present when the meeting ends (a shutdown, a dead worker) leaves with it.
        await tx.run('UPDATE attendance SET left_at = ? WHERE meeting_id = ? AND left_at IS NULL', [at, meetingId]);
      }),
    current: (roomId) => running(db, roomId),
    get: async (meetingId) => {
      const row = await byId(db, meetingId);
      return row && toMeeting(row);
    },
    listByRoom: async (roomId) =>
      (await db.all<MeetingRow>('SELECT * FROM meetings WHERE room_id = ? ORDER BY id DESC', [roomId])).map(toMeeting),
  };
}

interface ChatRow {
  id: number;
  room_id: string;
  meeting_id: number | null;
  user_id: string;
  display_name: string;
  text: string;
  at: string;
}
const toChat = (r: ChatRow): ChatMessage => ({
  id: r.id,
  roomId: r.room_id,
  userId: r.user_id,
  displayName: r.display_name,
  text: r.text,
  at: r.at,
});

export function chatRepository(db: SqlQueries): ChatRepository {
  // The newest `limit`, returned oldest first.
  const last = async (column: 'meeting_id' | 'room_id', key: string | number, limit: number) =>
    (
      await db.all<ChatRow>(
        `SELECT * FROM (SELECT * FROM chat_messages WHERE ${column} = ? ORDER BY id DESC LIMIT ?) AS recent ORDER BY id`,
        [key, limit],
      )
    ).map(toChat);
  return {
    append: async (input) => {
      const row: Omit<ChatRow, 'id'> = {
        room_id: input.roomId,
        meeting_id: input.meetingId,
        user_id: input.userId,
        display_name: input.displayName,
        text: input.text,
        at: now(),
      };
      const inserted = await db.get<{ id: number }>(
        `INSERT INTO chat_messages (room_id, meeting_id, user_id, display_name, text, at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
        [row.room_id, row.meeting_id, row.user_id, row.display_name, row.text, row.at],
      );
      return toChat({ id: Number(inserted?.id), ...row });
    },
    listByMeeting: (meetingId, limit) => last('meeting_id', meetingId, limit),
    listByRoom: (roomId, limit) => last('room_id', roomId, limit),
  };
}

interface AttendanceDbRow {
  id: number;
  meeting_id: number;
  user_id: string;
  display_name: string;
  township_id: string | null;
  joined_at: string;
  left_at: string | null;
}

/** Minutes covered by the intervals, overlaps (two tabs of one user) counted once; 0.1 min precision. */
export function minutesPresent(intervals: { joinedAt: string; leftAt: string | null }[], at: Date): number {
  const spans = intervals
    .map((i) => [Date.parse(i.joinedAt), i.leftAt === null ? at.getTime() : Date.parse(i.leftAt)] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of spans) {
    const start = Math.max(from, end);
    if (to > start) total += to - start;
    end = Math.max(end, to);
  }
  return Math.round(total / 6_000) / 10;
}

export function attendanceRepository(db: SqlQueries): AttendanceRepository {
  return {
    open: async (input) =>
      Number(
        (
          await db.get<{ id: number }>(
            `INSERT INTO attendance (meeting_id, user_id, display_name, township_id, joined_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id`,
            [input.meetingId, input.userId, input.displayName, input.townshipId, input.joinedAt],
          )
        )?.id,
      ),
    close: async (id, leftAt) => {
      await db.run('UPDATE attendance SET left_at = ? WHERE id = ? AND left_at IS NULL', [leftAt, id]);
    },
    listByMeeting: async (meetingId, at = new Date()) => {
      const users = new Map<string, AttendanceRow>();
      const rows = await db.all<AttendanceDbRow>(
        'SELECT * FROM attendance WHERE meeting_id = ? ORDER BY joined_at, id',
        [meetingId],
      );
      for (const r of rows) {
        let row = users.get(r.user_id);
        if (!row) {
          row = {
            userId: r.user_id,
            displayName: r.display_name,
            townshipId: r.township_id,
            intervals: [],
            totalMinutes: 0,
          };
          users.set(r.user_id, row);
        }
        row.intervals.push({ joinedAt: r.joined_at, leftAt: r.left_at });
      }
      for (const row of users.values()) row.totalMinutes = minutesPresent(row.intervals, at);
      return [...users.values()];
    },
  };
}

interface RecordingRow {
  id: string;
  room_id: string;
  meeting_id: number | null;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  size: number | null;
  file: string;
  status: RecordingRecord['status'];
}
const toRecording = (r: RecordingRow): RecordingRecord => ({
  id: r.id,
  roomId: r.room_id,
  meetingId: r.meeting_id,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  durationMs: r.duration_ms,
  size: r.size,
  status: r.status,
  file: r.file,
});

export function recordingRepository(db: SqlQueries): RecordingRepository {
  return {
    create: async (input) => {
      await db.run(
        `INSERT INTO recordings (id, room_id, meeting_id, started_at, file, status)
         VALUES (?, ?, ?, ?, ?, 'recording')`,
        [input.id, input.roomId, input.meetingId, input.startedAt, input.file],
      );
    },
    finish: async (id, result) => {
      await db.run(
        `UPDATE recordings SET status = ?, ended_at = ?, duration_ms = ?, size = ?, file = COALESCE(?, file)
         WHERE id = ? AND status = 'recording'`,
        [result.status, result.endedAt, result.durationMs ?? null, result.size ?? null, result.file ?? null, id],
      );
    },
    get: async (id) => {
      const row = await db.get<RecordingRow>('SELECT * FROM recordings WHERE id = ?', [id]);
      return row && toRecording(row);
    },
    listByRoom: async (roomId) =>
      (
        await db.all<RecordingRow>('SELECT * FROM recordings WHERE room_id = ? ORDER BY started_at DESC, id', [roomId])
      ).map(toRecording),
  };
}
