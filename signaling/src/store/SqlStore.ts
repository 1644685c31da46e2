/**
 * The Store on one SqlDb (SQLite or PostgreSQL): the people-and-rooms
 * repositories here, the others in *Records.ts. Rows are mapped to the public
 * records at the edge.
 */

import type { Role, TownshipView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { randomPin } from '../auth/sipDigest.ts';
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
import { constraintOf, type SqlDb, type SqlQueries } from './sqlDb.ts';
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

function userRepository(db: SqlQueries): UserRepository {
  return {
    findByUsername: async (username) => {
      const row = await db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
      return row && toUser(row);
    },
    findById: async (id) => {
      const row = await db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
      return row && toUser(row);
    },
    list: async () => (await db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser),
    create: async (input) => {
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
        await db.run(
          `INSERT INTO users (id, username, display_name, role, township_id, password_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [row.id, row.username, row.display_name, row.role, row.township_id, row.password_hash, row.created_at],
        );
      } catch (err) {
        const kind = constraintOf(err);
        if (kind === 'unique' || kind === 'primary_key') throw BeaconError.badRequest('user already exists');
        if (kind === 'foreign_key') throw BeaconError.badRequest('unknown township');
        if (kind === 'check') throw BeaconError.badRequest('invalid role or township');
        throw err;
      }
      return toUser(row);
    },
  };
}

function townshipRepository(db: SqlQueries): TownshipRepository {
  return {
    list: async () => (await db.all<TownshipRow>('SELECT * FROM townships ORDER BY rowid')).map(toTownship),
    get: async (id) => {
      const row = await db.get<TownshipRow>('SELECT * FROM townships WHERE id = ?', [id]);
      return row && toTownship(row);
    },
  };
}

function roomRepository(db: SqlQueries): RoomRepository {
  return {
    list: async () => (await db.all<RoomRow>('SELECT * FROM rooms ORDER BY created_at, id')).map(toRoom),
    get: async (id) => {
      const row = await db.get<RoomRow>('SELECT * FROM rooms WHERE id = ?', [id]);
      return row && toRoom(row);
    },
    findByDialNumber: async (dialNumber) => {
      const row = await db.get<RoomRow>('SELECT * FROM rooms WHERE dial_number = ?', [dialNumber]);
      return row && toRoom(row);
    },
    create: async (input) => {
      const row: RoomRow = {
        id: input.id,
        title: input.title,
        kind: input.kind,
        created_at: now(),
        created_by: input.createdBy,
        dial_number: input.dialNumber ?? (await nextDialNumber(db)),
        pin: input.pin === undefined ? randomPin() : input.pin,
      };
      try {
        await db.run(
          `INSERT INTO rooms (id, title, kind, created_at, created_by, dial_number, pin)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [row.id, row.title, row.kind, row.created_at, row.created_by, row.dial_number, row.pin],
        );
      } catch (err) {
        const kind = constraintOf(err);
        if (kind === 'primary_key') throw BeaconError.badRequest('room already exists');
        if (kind === 'unique') throw BeaconError.badRequest('conference number already in use');
        if (kind === 'foreign_key') throw BeaconError.badRequest('unknown creator');
        if (kind === 'check') throw BeaconError.badRequest('invalid room kind');
        throw err;
      }
      return toRoom(row);
    },
  };
}

const DEFAULT_AUDIT_LIMIT = 100;
const MAX_AUDIT_LIMIT = 1000;

function auditRepository(db: SqlQueries): AuditRepository {
  return {
    append: async ({ actorId, role = null, action, target = null, detail }) => {
      const json = detail === undefined ? null : (JSON.stringify(detail) ?? null);
      await db.run('INSERT INTO audit (at, actor_id, actor_role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)', [
        now(),
        actorId,
        role,
        action,
        target,
        json,
      ]);
    },
    list: async (opts = {}) => {
      const limit = Math.min(Math.max(Math.trunc(opts.limit ?? DEFAULT_AUDIT_LIMIT), 1), MAX_AUDIT_LIMIT);
      return (await db.all<AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT ?', [limit])).map(toAudit);
    },
  };
}

/** Wraps an open, migrated database. The Store owns it and closes it. */
export function createStore(db: SqlDb, file: string): Store {
  return {
    file,
    isReady: () => db.isOpen(),
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
    close: () => db.close(),
  };
}
