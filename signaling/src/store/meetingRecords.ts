/**
 * What a meeting leaves behind in the store: the meeting row itself, its
 * chat, attendance (签到) and recordings. Statements are prepared once.
 */
import type { Database } from 'better-sqlite3';
import { BeaconError } from '../protocol/errors.ts';
import type { AttendanceRow, ChatMessage } from '../protocol/meeting.ts';
import type { MeetingView } from '../protocol/rest.ts';
import type {
  AttendanceRepository,
  ChatRepository,
  MeetingRepository,
  RecordingRecord,
  RecordingRepository,
} from './StoreTypes.ts';

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

export function meetingRepository(db: Database): MeetingRepository {
  const running = db.prepare<[string], { id: number }>(
    'SELECT id FROM meetings WHERE room_id = ? AND ended_at IS NULL',
  );
  const roomExists = db.prepare<[string], { id: string }>('SELECT id FROM rooms WHERE id = ?');
  const insert = db.prepare<[string, string]>('INSERT INTO meetings (room_id, started_at) VALUES (?, ?)');
  const finish = db.prepare<[string, number]>('UPDATE meetings SET ended_at = ? WHERE id = ? AND ended_at IS NULL');
  // Whoever is still marked present when the meeting ends (a shutdown, a dead worker) leaves with it.
  const closeAttendance = db.prepare<[string, number]>(
    'UPDATE attendance SET left_at = ? WHERE meeting_id = ? AND left_at IS NULL',
  );
  const byId = db.prepare<[number], MeetingRow>('SELECT * FROM meetings WHERE id = ?');
  const byRoom = db.prepare<[string], MeetingRow>('SELECT * FROM meetings WHERE room_id = ? ORDER BY id DESC');
  const start = db.transaction((roomId: string): number => {
    const current = running.get(roomId);
    if (current) return current.id;
    if (!roomExists.get(roomId)) throw new BeaconError('room_not_found', `room ${roomId} not found`);
    return Number(insert.run(roomId, now()).lastInsertRowid);
  });
  const end = db.transaction((meetingId: number) => {
    const at = now();
    if (finish.run(at, meetingId).changes === 0 && !byId.get(meetingId)) throw BeaconError.notFound('meeting');
    closeAttendance.run(at, meetingId);
  });
  return {
    start: (roomId) => start.immediate(roomId),
    end: (meetingId) => end.immediate(meetingId),
    current: (roomId) => running.get(roomId)?.id,
    get: (meetingId) => {
      const row = byId.get(meetingId);
      return row && toMeeting(row);
    },
    listByRoom: (roomId) => byRoom.all(roomId).map(toMeeting),
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

export function chatRepository(db: Database): ChatRepository {
  const insert = db.prepare<[Omit<ChatRow, 'id'>]>(
    `INSERT INTO chat_messages (room_id, meeting_id, user_id, display_name, text, at)
     VALUES (@room_id, @meeting_id, @user_id, @display_name, @text, @at)`,
  );
  const lastOfMeeting = db.prepare<[number, number], ChatRow>(
    'SELECT * FROM (SELECT * FROM chat_messages WHERE meeting_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  );
  const lastOfRoom = db.prepare<[string, number], ChatRow>(
    'SELECT * FROM (SELECT * FROM chat_messages WHERE room_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  );
  return {
    append: (input) => {
      const row: Omit<ChatRow, 'id'> = {
        room_id: input.roomId,
        meeting_id: input.meetingId,
        user_id: input.userId,
        display_name: input.displayName,
        text: input.text,
        at: now(),
      };
      const id = Number(insert.run(row).lastInsertRowid);
      return toChat({ id, ...row });
    },
    listByMeeting: (meetingId, limit) => lastOfMeeting.all(meetingId, limit).map(toChat),
    listByRoom: (roomId, limit) => lastOfRoom.all(roomId, limit).map(toChat),
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

export function attendanceRepository(db: Database): AttendanceRepository {
  const insert = db.prepare<[number, string, string, string | null, string]>(
    'INSERT INTO attendance (meeting_id, user_id, display_name, township_id, joined_at) VALUES (?, ?, ?, ?, ?)',
  );
  const close = db.prepare<[string, number]>('UPDATE attendance SET left_at = ? WHERE id = ? AND left_at IS NULL');
  const byMeeting = db.prepare<[number], AttendanceDbRow>(
    'SELECT * FROM attendance WHERE meeting_id = ? ORDER BY joined_at, id',
  );
  return {
    open: (input) =>
      Number(
        insert.run(input.meetingId, input.userId, input.displayName, input.townshipId, input.joinedAt).lastInsertRowid,
      ),
    close: (id, leftAt) => {
      close.run(leftAt, id);
    },
    listByMeeting: (meetingId, at = new Date()) => {
      const users = new Map<string, AttendanceRow>();
      for (const r of byMeeting.all(meetingId)) {
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

export function recordingRepository(db: Database): RecordingRepository {
  const insert = db.prepare<[string, string, number | null, string, string]>(
    "INSERT INTO recordings (id, room_id, meeting_id, started_at, file, status) VALUES (?, ?, ?, ?, ?, 'recording')",
  );
  const finish = db.prepare<[string, string, number | null, number | null, string | null, string]>(
    `UPDATE recordings SET status = ?, ended_at = ?, duration_ms = ?, size = ?, file = COALESCE(?, file)
     WHERE id = ? AND status = 'recording'`,
  );
  const byId = db.prepare<[string], RecordingRow>('SELECT * FROM recordings WHERE id = ?');
  const byRoom = db.prepare<[string], RecordingRow>(
    'SELECT * FROM recordings WHERE room_id = ? ORDER BY started_at DESC, id',
  );
  return {
    create: (input) => {
      insert.run(input.id, input.roomId, input.meetingId, input.startedAt, input.file);
    },
    finish: (id, result) => {
      finish.run(
        result.status,
        result.endedAt,
        result.durationMs ?? null,
        result.size ?? null,
        result.file ?? null,
        id,
      );
    },
    get: (id) => {
      const row = byId.get(id);
      return row && toRecording(row);
    },
    listByRoom: (roomId) => byRoom.all(roomId).map(toRecording),
  };
}
