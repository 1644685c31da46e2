/** Public types of the durable store. */
import type {
  AttendanceRow,
  ChatMessage,
  CreateTerminalInput,
  CreateTownshipInput,
  MeetingRoomView,
  MeetingView,
  RecordingView,
  Role,
  TerminalAdminView,
  TerminalView,
  TownshipAdminView,
  UpdateMeetingRoomInput,
  UpdateTerminalInput,
  UpdateTownshipInput,
  UpdateUserInput,
} from '@beacon/protocol';
import type { BookingRepository } from './bookingTypes.ts';
import type { BoundaryRepository } from './boundaryTypes.ts';
import type { CameraRepository } from './cameraTypes.ts';
import type { CapFeedRepository, CapMessageRepository } from './capTypes.ts';
import type { IncidentRepository, TaskRepository, WarningRepository } from './commandTypes.ts';
import type { DutyRepositories } from './dutyTypes.ts';
import type { LoudspeakerCallRepository } from './loudspeakerTypes.ts';
import type { MinutesRepository } from './minutesTypes.ts';
import type {
  AdminKind,
  AreaRepository,
  Change,
  DepartmentRepository,
  PageQuery,
  PageResult,
  VillageRepository,
} from './orgTypes.ts';
import type { PlanRepository } from './planTypes.ts';
import type { ReportRepository } from './reportTypes.ts';
import type { ResourceRepositories } from './resourceTypes.ts';
import type { InitialAdminSeed } from './seedAdmin.ts';
import type { SmsRepository } from './smsTypes.ts';
import type { ReadingRepository, StationRepository } from './stationTypes.ts';
import type { UpstreamLinkRepository } from './upstreamLinkRecords.ts';

export type { AdminKind, AreaRepository, Change, DepartmentRepository, PageQuery, PageResult, VillageRepository };

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townshipId: string | null;
  departmentId: string | null;
  phone: string | null;
  /** False: sign-in refused, sockets closed, hidden from pickers; the row stays for history. */
  enabled: boolean;
  passwordHash: string;
  /** True: the password was chosen by someone else (admin); every request but changing it is refused. */
  mustChangePassword: boolean;
  /** Tokens issued before this instant (ISO, ms) are refused: set when the password changes. Null: none. */
  tokensValidAfter: string | null;
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
  /** False: hidden from room lists and not reachable by its dial number. */
  enabled: boolean;
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
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /**
   * Throws BeaconError 'bad_request' when the id is taken or the township is unknown, 'conflict'
   * (field `username`) when the username is. Enabled unless said otherwise.
   */
  create(
    input: Omit<
      UserRecord,
      'createdAt' | 'departmentId' | 'phone' | 'enabled' | 'mustChangePassword' | 'tokensValidAfter'
    > &
      Partial<Pick<UserRecord, 'departmentId' | 'phone' | 'enabled' | 'mustChangePassword'>>,
  ): Promise<UserRecord>;
  /**
   * A new password hash; `mustChange` flags it as chosen by someone else. Tokens issued
   * before now are refused from here on (the caller issues a fresh one if it keeps the user signed in).
   */
  setPassword(id: string, passwordHash: string, opts: { mustChange: boolean }): Promise<UserRecord>;
  /** Admin list: searches username, display name and phone. */
  page(query: PageQuery): Promise<PageResult<UserRecord>>;
  update(id: string, patch: UpdateUserInput): Promise<Change<UserRecord>>;
  setEnabled(id: string, enabled: boolean): Promise<Change<UserRecord>>;
}

/** Townships (乡镇/街道), in their seeded/created order; lists include disabled ones (pickers filter). */
export interface TownshipRepository extends AdminKind<TownshipAdminView, UpdateTownshipInput> {
  list(): Promise<TownshipAdminView[]>;
  /** `conflict` (field `code`) for a taken code. */
  create(input: CreateTownshipInput & { id: string }): Promise<TownshipAdminView>;
}

export interface TerminalRepository extends AdminKind<TerminalAdminView, UpdateTerminalInput> {
  /** Every terminal, disabled ones included (pickers filter). */
  list(): Promise<TerminalAdminView[]>;
  listByTownship(townshipId: string): Promise<TerminalAdminView[]>;
  listByDepartment(departmentId: string): Promise<TerminalAdminView[]>;
  /** `conflict` (field `extension`) for a taken extension; a phone gets `sip` hashes when given. */
  create(
    input: Omit<CreateTerminalInput, 'villageId'> & {
      id: string;
      /** A loudspeaker's village (its townshipId is the village's). */
      villageId?: string | null;
      sip?: { ha1: string; ha1b: string };
    },
  ): Promise<TerminalAdminView>;
  /** The enabled SIP terminal (phone, SIP video terminal, loudspeaker) with this extension (browser video terminals have none). */
  findPhoneByExtension(extension: string): Promise<TerminalView | undefined>;
  /** Stores new digest hashes of a SIP phone or SIP video terminal; false when `id` is neither. */
  setSipCredentials(id: string, hashes: { ha1: string; ha1b: string }): Promise<boolean>;
  /** Every enabled SIP phone with an extension and credentials: Kamailio's subscriber table. */
  sipSubscribers(): Promise<SipSubscriber[]>;
}

export interface RoomRepository {
  list(): Promise<RoomRecord[]>;
  get(id: string): Promise<RoomRecord | undefined>;
  /** The enabled room a desk phone reaches by dialling `dialNumber`. */
  findByDialNumber(dialNumber: string): Promise<RoomRecord | undefined>;
  /** Admin list: searches id, title and dial number. */
  page(query: PageQuery): Promise<PageResult<MeetingRoomView>>;
  /** `conflict` (field `dialNumber`) for a taken number. */
  update(id: string, patch: UpdateMeetingRoomInput): Promise<Change<MeetingRoomView>>;
  setEnabled(id: string, enabled: boolean): Promise<Change<MeetingRoomView>>;
  /**
   * Throws BeaconError 'bad_request' on a duplicate id or dial number. Without
   * `dialNumber` the room gets the next free 6xxx number; without `pin`
   * (undefined) a random 4-digit PIN; `pin: null` asks for none.
   */
  create(
    input: Omit<RoomRecord, 'createdAt' | 'dialNumber' | 'pin' | 'enabled'> & {
      dialNumber?: string | undefined;
      pin?: string | null | undefined;
    },
  ): Promise<RoomRecord>;
}

/** A unit that may join a members-only room besides staff. */
export interface RoomMember {
  kind: 'township' | 'department';
  id: string;
}

/** Who may join a room besides staff: everyone (not members-only) or its members. */
export interface RoomAccess {
  membersOnly: boolean;
  members: RoomMember[];
}

export interface RoomMemberRepository {
  /** An unknown room reads as open with no members. */
  get(roomId: string): Promise<RoomAccess>;
  /** Makes the room members-only and adds `members` (none: staff only), in one transaction; others already there stay. */
  restrict(roomId: string, members: readonly RoomMember[]): Promise<void>;
  /** Every members-only room's access (for filtering a room list in two queries). */
  listRestricted(): Promise<Map<string, RoomAccess>>;
}

export interface MeetingRepository {
  /**
   * Starts a meeting in the room and returns its id. A room has at most one
   * running meeting: if one is running, its id is returned. Throws
   * BeaconError 'room_not_found' for an unknown room.
   */
  start(roomId: string): Promise<number>;
  /** Ends the meeting; ending an ended meeting is a no-op. Throws 'not_found' for an unknown id. */
  end(meetingId: number): Promise<void>;
  /** Id of the running meeting in the room, if any. */
  current(roomId: string): Promise<number | undefined>;
  get(meetingId: number): Promise<MeetingView | undefined>;
  /** The room's meetings, newest first. */
  listByRoom(roomId: string): Promise<MeetingView[]>;
}

export interface ChatRepository {
  append(input: {
    roomId: string;
    meetingId: number | null;
    userId: string;
    displayName: string;
    text: string;
  }): Promise<ChatMessage>;
  /** The last `limit` messages of the meeting, oldest first. */
  listByMeeting(meetingId: number, limit: number): Promise<ChatMessage[]>;
  /** The last `limit` messages of the room (all its meetings), oldest first. */
  listByRoom(roomId: string, limit: number): Promise<ChatMessage[]>;
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
  }): Promise<number>;
  close(id: number, leftAt: string): Promise<void>;
  /** Per user (in order of first join) with every interval and the minutes present (overlaps counted once). */
  listByMeeting(meetingId: number, now?: Date): Promise<AttendanceRow[]>;
}

export interface RecordingRecord extends RecordingView {
  /** Absolute path of the file on this node; never sent to clients. */
  file: string;
}

export interface RecordingRepository {
  create(input: {
    id: string;
    roomId: string;
    meetingId: number | null;
    startedAt: string;
    file: string;
  }): Promise<void>;
  finish(
    id: string,
    result: { status: 'ready' | 'failed'; endedAt: string; durationMs?: number; size?: number; file?: string },
  ): Promise<void>;
  get(id: string): Promise<RecordingRecord | undefined>;
  /** Newest first. */
  listByRoom(roomId: string): Promise<RecordingRecord[]>;
}

/** An audit row as the hash chain sees it (audit/auditChain.ts); rows written before the chain have no hashes. */
export interface AuditChainRow {
  id: number;
  at: string;
  actorId: string | null;
  role: string | null;
  action: string;
  target: string | null;
  /** The stored JSON text. */
  detail: string | null;
  prevHash: string | null;
  hash: string | null;
  /** 'sm3' or 'sha256'. */
  hashAlg: string | null;
}

export interface AuditRepository {
  /**
   * `detail` is stored as JSON. Chained to the row before (serialised with
   * every other append). On a transaction's repositories (`store.transaction`)
   * the entry commits or rolls back with the change it records: append it as
   * the transaction's last statement (PostgreSQL holds the chain's lock from
   * here to COMMIT).
   */
  append(entry: {
    actorId: string | null;
    role?: string | null;
    action: string;
    target?: string | null;
    detail?: unknown;
  }): Promise<void>;
  /** Newest first; limit defaults to 100, at most 1000. */
  list(opts?: { limit?: number }): Promise<AuditEntry[]>;
  /** Up to `limit` rows with ids above `afterId`, oldest first, with their hashes: for verifying the chain. */
  chainPage(afterId: number, limit: number): Promise<AuditChainRow[]>;
}

/** Signed-out tokens, by their `jti`, kept until they would have expired anyway. */
export interface RevokedTokenRepository {
  revoke(jti: string, expiresAt: Date): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
  /** Forgets entries past their expiry; returns how many. */
  prune(now?: Date): Promise<number>;
}

export interface Store {
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly file: string;
  /** Open, migrated and answering (PostgreSQL: a round trip to the server, false after 2 s). */
  isReady(): Promise<boolean>;
  users: UserRepository;
  townships: TownshipRepository;
  villages: VillageRepository;
  departments: DepartmentRepository;
  area: AreaRepository;
  terminals: TerminalRepository;
  rooms: RoomRepository;
  meetings: MeetingRepository;
  chat: ChatRepository;
  attendance: AttendanceRepository;
  recordings: RecordingRepository;
  audit: AuditRepository;
  revokedTokens: RevokedTokenRepository;
  roomMembers: RoomMemberRepository;
  incidents: IncidentRepository;
  warnings: WarningRepository;
  tasks: TaskRepository;
  /** Duty (值班值守): the roster, the duty log, shift handovers. */
  duty: DutyRepositories;
  /**
   * Runs `fn` with every repository bound to one transaction: it commits when
   * `fn`'s promise resolves and rolls back (nothing written) when it rejects.
   * Inside, use only `tx` (on SQLite the store's own repositories wait until
   * the transaction has ended).
   */
  transaction<T>(fn: (tx: StoreRepositories) => Promise<T>): Promise<T>;
  /** Townships' imported boundaries (GeoJSON). */
  boundaries: BoundaryRepository;
  /** Information reporting (信息报送): report chains from townships and departments. */
  reports: ReportRepository;
  /** Emergency plans (应急预案): versions, the responses started on incidents, their checklists. */
  plans: PlanRepository;
  /** CAP messages received from outside (files, feeds), one per sender + identifier. */
  capMessages: CapMessageRepository;
  /** CAP feed subscriptions (预警信息接入). */
  capFeeds: CapFeedRepository;
  /** Monitoring stations (监测站点) and their readings. */
  stations: StationRepository;
  readings: ReadingRepository;
  /** Emergency resources (应急资源): rescue teams and their dispatches, depots, shelters, experts. */
  resources: ResourceRepositories;
  /** Meetings on a schedule (会议预约): bookings, invitees and receipts, materials. */
  bookings: BookingRepository;
  /** Warnings by SMS: recipients per warning and number, and how far each text got. */
  sms: SmsRepository;
  /** Meeting minutes (会议纪要), one per booking. */
  minutes: MinutesRepository;
  /** Emergency broadcast loudspeakers' calls per warning (应急广播). */
  loudspeakers: LoudspeakerCallRepository;
  /** GB/T 28181 devices (国标设备) and their catalogs' channels. */
  cameras: CameraRepository;
  /** The links up (上联) the rooms' chairs want, redialled after a restart. */
  upstreamLinks: UpstreamLinkRepository;
  /** Idempotent; statements already queued finish first. */
  close(): Promise<void>;
}

/** The repositories of a Store, without its lifecycle: what a transaction offers. */
export type StoreRepositories = Omit<Store, 'file' | 'isReady' | 'transaction' | 'close'>;

/**
 * Every repository method is asynchronous and has committed when its promise
 * resolves: await it before answering "ok".
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
   * users yet. The accounts get `demoPassword`, which each must change at
   * first sign-in (unless `demoPasswordChosen`: test fixtures only); the
   * phones random SIP passwords hashed for `sipRealm` (default 'beacon'). On
   * every open, demo phones still on `demoPassword` get a random one.
   */
  seed?: { demoPassword: string; sipRealm?: string; demoPasswordChosen?: boolean };
  /** Without `seed`: a store without users gets only its admin (store/seedAdmin.ts). Default: nothing. */
  initialAdmin?: InitialAdminSeed;
}
