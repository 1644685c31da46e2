/**
 * The Store on one better-sqlite3 connection. Statements are prepared once,
 * here; rows are mapped to the public records at the edge.
 */
import type { Database } from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import { randomPin } from '../auth/sipDigest.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { Role } from '../protocol/events.ts';
import type { TownshipView } from '../protocol/rest.ts';
import { incidentRepository } from './incidentRecords.ts';
import { attendanceRepository, chatRepository, meetingRepository, recordingRepository } from './meetingRecords.ts';
import { nextDialNumber, terminalRepository } from './phoneRecords.ts';
import type {
  AuditEntry,
  AuditRepository,
  RoomKind,
  RoomRecord,
  RoomRepository,
  Store,
  TownshipRepository,
  UserRecord,
  UserRepository,
} from './StoreTypes.ts';
import { taskRepository } from './taskRecords.ts';
import { warningRepository } from './warningRecords.ts';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  township_id: string | null;
  password_hash: string;
  created_at: string;
}
interface TownshipRow {
  id: string;
  name: string;
  name_en: string;
  kind: TownshipView['kind'];
  lat: number;
  lon: number;
  approximate: number;
}
interface RoomRow {
  id: string;
  title: string;
  kind: RoomKind;
  created_at: string;
  created_by: string | null;
  dial_number: string | null;
  pin: string | null;
}
interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  actor_role: string | null;
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  townshipId: r.township_id,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});
const toTownship = (r: TownshipRow): TownshipView => ({
  id: r.id,
  name: r.name,
  nameEn: r.name_en,
  kind: r.kind,
  lat: r.lat,
  lon: r.lon,
  approximate: r.approximate === 1,
});
const toRoom = (r: RoomRow): RoomRecord => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  createdAt: r.created_at,
  createdBy: r.created_by,
  dialNumber: r.dial_number,
  pin: r.pin,
});
const toAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  role: r.actor_role,
  action: r.action,
  target: r.target,
  detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
});

const now = (): string => new Date().toISOString();

function constraintCode(err: unknown): string | undefined {
  return err instanceof SqliteDatabase.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT') ? err.code : undefined;
}

function userRepository(db: Database): UserRepository {
  const byUsername = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const insert = db.prepare<[UserRow]>(
    `INSERT INTO users (id, username, display_name, role, township_id, password_hash, created_at)
     VALUES (@id, @username, @display_name, @role, @township_id, @password_hash, @created_at)`,
  );
  return {
    findByUsername: (username) => {
      const row = byUsername.get(username);
      return row && toUser(row);
    },
    findById: (id) => {
      const row = byId.get(id);
      return row && toUser(row);
    },
    list: () => all.all().map(toUser),
    create: (input) => {
      const row: UserRow = {
        id: input.id,
        username: input.username,
        display_name: input.displayName,
        role: input.role,
        township_id: input.townshipId,
        password_hash: input.passwordHash,
        created_at: now(),
      };
      try {
        insert.run(row);
      } catch (err) {
        const code = constraintCode(err);
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw BeaconError.badRequest('user already exists');
        }
        if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw BeaconError.badRequest('unknown township');
        if (code === 'SQLITE_CONSTRAINT_CHECK') throw BeaconError.badRequest('invalid role or township');
        throw err;
      }
      return toUser(row);
    },
  };
}

function townshipRepository(db: Database): TownshipRepository {
  const all = db.prepare<[], TownshipRow>('SELECT * FROM townships ORDER BY rowid');
  const byId = db.prepare<[string], TownshipRow>('SELECT * FROM townships WHERE id = ?');
  return {
    list: () => all.all().map(toTownship),
    get: (id) => {
      const row = byId.get(id);
      return row && toTownship(row);
    },
  };
}

function roomRepository(db: Database): RoomRepository {
  const all = db.prepare<[], RoomRow>('SELECT * FROM rooms ORDER BY created_at, id');
  const byId = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?');
  const byDialNumber = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE dial_number = ?');
  const insert = db.prepare<[RoomRow]>(
    `INSERT INTO rooms (id, title, kind, created_at, created_by, dial_number, pin)
     VALUES (@id, @title, @kind, @created_at, @created_by, @dial_number, @pin)`,
  );
  return {
    list: () => all.all().map(toRoom),
    get: (id) => {
      const row = byId.get(id);
      return row && toRoom(row);
    },
    findByDialNumber: (dialNumber) => {
      const row = byDialNumber.get(dialNumber);
      return row && toRoom(row);
    },
    create: (input) => {
      const row: RoomRow = {
        id: input.id,
        title: input.title,
        kind: input.kind,
        created_at: now(),
        created_by: input.createdBy,
        dial_number: input.dialNumber ?? nextDialNumber(db),
        pin: input.pin === undefined ? randomPin() : input.pin,
      };
      try {
        insert.run(row);
      } catch (err) {
        const code = constraintCode(err);
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw BeaconError.badRequest('room already exists');
        if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw BeaconError.badRequest('conference number already in use');
        if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw BeaconError.badRequest('unknown creator');
        if (code === 'SQLITE_CONSTRAINT_CHECK') throw BeaconError.badRequest('invalid room kind');
        throw err;
      }
      return toRoom(row);
    },
  };
}

const DEFAULT_AUDIT_LIMIT = 100;
const MAX_AUDIT_LIMIT = 1000;

function auditRepository(db: Database): AuditRepository {
  const insert = db.prepare<[string, string | null, string | null, string, string | null, string | null]>(
    'INSERT INTO audit (at, actor_id, actor_role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const latest = db.prepare<[number], AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
  return {
    append: ({ actorId, role = null, action, target = null, detail }) => {
      const json = detail === undefined ? null : (JSON.stringify(detail) ?? null);
      insert.run(now(), actorId, role, action, target, json);
    },
    list: (opts = {}) => {
      const limit = Math.min(Math.max(Math.trunc(opts.limit ?? DEFAULT_AUDIT_LIMIT), 1), MAX_AUDIT_LIMIT);
      return latest.all(limit).map(toAudit);
    },
  };
}

/** Wraps an open, migrated connection. The Store owns it and closes it. */
export function createSqliteStore(db: Database, file: string): Store {
  return {
    file,
    isReady: () => db.open,
    users: userRepository(db),
    townships: townshipRepository(db),
    terminals: terminalRepository(db),
    rooms: roomRepository(db),
    meetings: meetingRepository(db),
    chat: chatRepository(db),
    attendance: attendanceRepository(db),
    recordings: recordingRepository(db),
    audit: auditRepository(db),
    incidents: incidentRepository(db),
    warnings: warningRepository(db),
    tasks: taskRepository(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
