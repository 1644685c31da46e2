/**
 * The Store on one SqlDb (SQLite or PostgreSQL): rooms here,
 * the other repositories in *Records.ts. Rows are mapped to the public
 * records at the edge.
 */

import type { MeetingRoomView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { randomPin } from '../auth/sipDigest.ts';
import { assertFree, columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import { auditRepository } from './auditRecords.ts';
import { bookingRepository } from './bookingRecords.ts';
import { boundaryRepository } from './boundaryRecords.ts';
import { cameraRepository } from './cameraRecords.ts';
import { capFeedRepository, capMessageRepository } from './capRecords.ts';
import { handoverRepository } from './dutyHandoverRecords.ts';
import { dutyLogRepository, dutyRosterRepository } from './dutyRecords.ts';
import { incidentRepository } from './incidentRecords.ts';
import { loudspeakerCallRepository } from './loudspeakerRecords.ts';
import { attendanceRepository, chatRepository, meetingRepository, recordingRepository } from './meetingRecords.ts';
import { minutesRepository } from './minutesRecords.ts';
import { areaRepository, departmentRepository, townshipRepository, villageRepository } from './orgRecords.ts';
import { nextDialNumber, terminalRepository } from './phoneRecords.ts';
import { planRepository } from './planRecords.ts';
import { reportRepository } from './reportRecords.ts';
import { resourceRepositories } from './resourceRecords.ts';
import { revokedTokenRepository } from './revokedTokens.ts';
import { roomMemberRepository } from './roomMembers.ts';
import type { RoomKind, RoomRecord, RoomRepository, Store, StoreRepositories } from './StoreTypes.ts';
import { smsRepository } from './smsRecords.ts';
import { constraintOf, type SqlDb, type SqlQueries } from './sqlDb.ts';
import { readingRepository } from './stationReadings.ts';
import { stationRepository } from './stationRecords.ts';
import { taskRepository } from './taskRecords.ts';
import { upstreamLinkRepository } from './upstreamLinkRecords.ts';
import { userRepository } from './userRecords.ts';
import { warningRepository } from './warningRecords.ts';

interface RoomRow {
  id: string;
  title: string;
  kind: RoomKind;
  created_at: string;
  created_by: string | null;
  dial_number: string | null;
  pin: string | null;
  enabled: number;
}

const toRoom = (r: RoomRow): RoomRecord => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  createdAt: r.created_at,
  createdBy: r.created_by,
  dialNumber: r.dial_number,
  pin: r.pin,
  enabled: r.enabled === 1,
});
const toMeetingRoom = (r: RoomRow): MeetingRoomView => ({
  id: r.id,
  title: r.title,
  kind: r.kind,
  dialNumber: r.dial_number,
  pin: r.pin,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
});

const DIAL_NUMBER = { table: 'rooms', column: 'dial_number', field: 'dialNumber', label: '会议号' };
const ROOM_COLUMNS = { title: 'title', kind: 'kind', dialNumber: 'dial_number', pin: 'pin' };

const now = (): string => new Date().toISOString();

function roomRepository(db: SqlQueries): RoomRepository {
  const roomSpec = { table: 'rooms', what: 'room', toView: toMeetingRoom };
  return {
    list: async () => (await db.all<RoomRow>('SELECT * FROM rooms ORDER BY created_at, id')).map(toRoom),
    get: async (id) => {
      const row = await db.get<RoomRow>('SELECT * FROM rooms WHERE id = ?', [id]);
      return row && toRoom(row);
    },
    findByDialNumber: async (dialNumber) => {
      const row = await db.get<RoomRow>('SELECT * FROM rooms WHERE dial_number = ? AND enabled = 1', [dialNumber]);
      return row && toRoom(row);
    },
    page: async (query) => {
      const page = await pageRows<RoomRow>(
        db,
        { from: 'rooms', search: ['id', 'title', 'dial_number'], orderBy: 'rowid' },
        query,
      );
      return { total: page.total, items: page.items.map(toMeetingRoom) };
    },
    update: (id, patch) =>
      updateRow(db, roomSpec, id, columnsOf(patch, ROOM_COLUMNS), (tx) =>
        assertFree(tx, DIAL_NUMBER, patch.dialNumber, id),
      ).catch((err: unknown) => rethrowConstraint(err, 'dialNumber', 'room')),
    setEnabled: (id, enabled) => updateRow(db, roomSpec, id, { enabled: enabled ? 1 : 0 }),
    create: async (input) => {
      const row: RoomRow = {
        id: input.id,
        title: input.title,
        kind: input.kind,
        created_at: now(),
        created_by: input.createdBy,
        dial_number: input.dialNumber ?? (await nextDialNumber(db)),
        pin: input.pin === undefined ? randomPin() : input.pin,
        enabled: 1,
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

/** Wraps an open, migrated database. The Store owns it and closes it. */
export function createStore(db: SqlDb, file: string): Store {
  return {
    file,
    isReady: () => db.isOpen(),
    ...repositoriesOn(db, false),
    transaction: (fn) => db.transaction((tx) => fn(repositoriesOn(tx, true))),
    close: () => db.close(),
  };
}

/** The repositories on the database, or on one transaction's handle (`inTransaction`). */
function repositoriesOn(db: SqlQueries, inTransaction: boolean): StoreRepositories {
  return {
    users: userRepository(db),
    townships: townshipRepository(db),
    villages: villageRepository(db),
    departments: departmentRepository(db),
    area: areaRepository(db),
    terminals: terminalRepository(db),
    rooms: roomRepository(db),
    meetings: meetingRepository(db),
    chat: chatRepository(db),
    attendance: attendanceRepository(db),
    recordings: recordingRepository(db),
    audit: auditRepository(db, inTransaction),
    revokedTokens: revokedTokenRepository(db),
    roomMembers: roomMemberRepository(db),
    incidents: incidentRepository(db),
    warnings: warningRepository(db),
    tasks: taskRepository(db),
    duty: { roster: dutyRosterRepository(db), log: dutyLogRepository(db), handovers: handoverRepository(db) },
    boundaries: boundaryRepository(db),
    reports: reportRepository(db),
    plans: planRepository(db),
    capMessages: capMessageRepository(db),
    capFeeds: capFeedRepository(db),
    stations: stationRepository(db),
    readings: readingRepository(db),
    resources: resourceRepositories(db),
    bookings: bookingRepository(db),
    sms: smsRepository(db),
    minutes: minutesRepository(db),
    loudspeakers: loudspeakerCallRepository(db),
    cameras: cameraRepository(db),
    upstreamLinks: upstreamLinkRepository(db),
  };
}
