/** Public types of the durable store. */
import type { Role } from '../protocol/events.ts';
import type { TerminalView, TownshipView } from '../protocol/rest.ts';

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
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
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
}

export interface RoomRepository {
  list(): RoomRecord[];
  get(id: string): RoomRecord | undefined;
  /** Throws BeaconError 'bad_request' ('room already exists') on a duplicate id. */
  create(input: Omit<RoomRecord, 'createdAt'>): RoomRecord;
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
}

export interface AuditRepository {
  /** `detail` is stored as JSON. */
  append(entry: { actorId: string | null; action: string; target?: string | null; detail?: unknown }): void;
  /** Newest first; limit defaults to 100, at most 1000. */
  list(opts?: { limit?: number }): AuditEntry[];
}

export interface Store {
  readonly file: string;
  /** Open and migrated. */
  isReady(): boolean;
  users: UserRepository;
  townships: TownshipRepository;
  terminals: TerminalRepository;
  rooms: RoomRepository;
  meetings: MeetingRepository;
  audit: AuditRepository;
  close(): void;
}

export interface OpenStoreOptions {
  /** SQLite file; its parent directory is created. ':memory:' works for tests. */
  file: string;
  /** Seed demo data (townships, terminals, accounts, rooms) when there are no users yet. */
  seed?: { demoPassword: string };
}
