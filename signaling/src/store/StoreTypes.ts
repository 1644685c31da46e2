/** Public types of the durable store. */
import type { Role } from '../protocol/events.ts';
import type { AttendanceRow, ChatMessage, RecordingView } from '../protocol/meeting.ts';
import type { MeetingView, TerminalView, TownshipView } from '../protocol/rest.ts';
import type { IncidentRepository, TaskRepository, WarningRepository } from './commandTypes.ts';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townshipId: string | null;
  passwordHash: string;
  createdAt: string;
}

export type RoomKind = 'meeting' | 'training' | 'emergency';

export interface RoomRecord {
  id: string;
  title: string;
  kind: RoomKind;
  createdAt: string;
  createdBy: string | null;
  /** What a desk phone dials to enter the room (6001…); null only for rooms not numbered yet. */
  dialNumber: string | null;
  /** Conference PIN a phone must key in; null: no PIN asked. */
  pin: string | null;
}

/** A SIP phone's digest credentials as Kamailio's subscriber table wants them. */
export interface SipSubscriber {
  /** The extension. */
  username: string;
  ha1: string;
  ha1b: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
  /** The actor's account role (entries written before migration 4 added the column have none). */
  role: string | null;
  action: string;
  target: string | null;
  detail: unknown;
}

export interface UserRepository {
  findByUsername(username: string): UserRecord | undefined;
  findById(id: string): UserRecord | undefined;
  list(): UserRecord[];
  /** Throws BeaconError 'bad_request' when the id or username is taken. */
  create(input: Omit<UserRecord, 'createdAt'>): UserRecord;
}

export interface TownshipRepository {
  list(): TownshipView[];
  get(id: string): TownshipView | undefined;
}

export interface TerminalRepository {
  list(): TerminalView[];
  listByTownship(townshipId: string): TerminalView[];
  get(id: string): TerminalView | undefined;
  /** The SIP phone with this extension (video terminals have none). */
  findPhoneByExtension(extension: string): TerminalView | undefined;
  /** Stores new digest hashes of a SIP phone; false when `id` is not a SIP phone. */
  setSipCredentials(id: string, hashes: { ha1: string; ha1b: string }): boolean;
  /** Every SIP phone with an extension and credentials. */
  sipSubscribers(): SipSubscriber[];
}

export interface RoomRepository {
  list(): RoomRecord[];
  get(id: string): RoomRecord | undefined;
  /** The room a desk phone reaches by dialling `dialNumber`. */
  findByDialNumber(dialNumber: string): RoomRecord | undefined;
  /**
   * Throws BeaconError 'bad_request' on a duplicate id or dial number. Without
   * `dialNumber` the room gets the next free 6xxx number; without `pin`
   * (undefined) a random 4-digit PIN; `pin: null` asks for none.
   */
  create(
    input: Omit<RoomRecord, 'createdAt' | 'dialNumber' | 'pin'> & { dialNumber?: string; pin?: string | null },
  ): RoomRecord;
}

export interface MeetingRepository {
  /**
   * Starts a meeting in the room and returns its id. A room has at most one
   * running meeting: if one is running, its id is returned. Throws
   * BeaconError 'room_not_found' for an unknown room.
   */
  start(roomId: string): number;
  /** Ends the meeting; ending an ended meeting is a no-op. Throws 'not_found' for an unknown id. */
  end(meetingId: number): void;
  /** Id of the running meeting in the room, if any. */
  current(roomId: string): number | undefined;
  get(meetingId: number): MeetingView | undefined;
  /** The room's meetings, newest first. */
  listByRoom(roomId: string): MeetingView[];
}

export interface ChatRepository {
  append(input: {
    roomId: string;
    meetingId: number | null;
    userId: string;
    displayName: string;
    text: string;
  }): ChatMessage;
  /** The last `limit` messages of the meeting, oldest first. */
  listByMeeting(meetingId: number, limit: number): ChatMessage[];
  /** The last `limit` messages of the room (all its meetings), oldest first. */
  listByRoom(roomId: string, limit: number): ChatMessage[];
}

/** Attendance (签到): one row per join→leave interval of a user in a meeting. */
export interface AttendanceRepository {
  /** Opens an interval; returns its id for `close`. */
  open(input: {
    meetingId: number;
    userId: string;
    displayName: string;
    townshipId: string | null;
    joinedAt: string;
  }): number;
  close(id: number, leftAt: string): void;
  /** Per user (in order of first join) with every interval and the minutes present (overlaps counted once). */
  listByMeeting(meetingId: number, now?: Date): AttendanceRow[];
}

export interface RecordingRecord extends RecordingView {
  /** Absolute path of the file on this node; never sent to clients. */
  file: string;
}

export interface RecordingRepository {
  create(input: { id: string; roomId: string; meetingId: number | null; startedAt: string; file: string }): void;
  finish(
    id: string,
    result: { status: 'ready' | 'failed'; endedAt: string; durationMs?: number; size?: number; file?: string },
  ): void;
  get(id: string): RecordingRecord | undefined;
  /** Newest first. */
  listByRoom(roomId: string): RecordingRecord[];
}

export interface AuditRepository {
  /** `detail` is stored as JSON. */
  append(entry: {
    actorId: string | null;
    role?: string | null;
    action: string;
    target?: string | null;
    detail?: unknown;
  }): void;
  /** Newest first; limit defaults to 100, at most 1000. */
  list(opts?: { limit?: number }): AuditEntry[];
}

export interface Store {
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly file: string;
  /** Open, migrated and answering (PostgreSQL: a round trip to the server). */
  isReady(): boolean;
  users: UserRepository;
  townships: TownshipRepository;
  terminals: TerminalRepository;
  rooms: RoomRepository;
  meetings: MeetingRepository;
  chat: ChatRepository;
  attendance: AttendanceRepository;
  recordings: RecordingRepository;
  audit: AuditRepository;
  incidents: IncidentRepository;
  warnings: WarningRepository;
  tasks: TaskRepository;
  close(): void;
}

/**
 * Every repository method is synchronous and has committed when it returns.
 * With PostgreSQL, a lost connection makes them throw BeaconError
 * 'store_unavailable' (the next call reconnects).
 */
export interface OpenStoreOptions {
  /** SQLite file; its parent directory is created. ':memory:' works for tests. Unused with `databaseUrl`. */
  file: string;
  /** postgres://user:password@host:port/database — use PostgreSQL instead of the SQLite file. Default: unset. */
  databaseUrl?: string | null | undefined;
  /**
   * Seed demo data (townships, terminals, accounts, rooms) when there are no
   * users yet; demo phones without SIP credentials get `demoPassword` hashed
   * for `sipRealm` (default 'beacon') on every open.
   */
  seed?: { demoPassword: string; sipRealm?: string };
}
