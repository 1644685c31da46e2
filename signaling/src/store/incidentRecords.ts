/** Incidents and their timelines (migration 4). */
import type { Database } from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import type { IncidentType, IncidentView, ResponseLevel, TimelineEntry, TimelineKind } from '../protocol/command.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { IncidentRepository } from './commandTypes.ts';

interface IncidentRow {
  id: string;
  type: IncidentType;
  level: ResponseLevel;
  title: string;
  description: string;
  reporter: string;
  township_id: string | null;
  lat: number;
  lon: number;
  status: IncidentView['status'];
  created_at: string;
  created_by: string;
  updated_at: string;
}

interface TimelineRow {
  id: number;
  incident_id: string;
  at: string;
  actor_id: string;
  actor_name: string;
  kind: TimelineKind;
  text: string;
  data: string | null;
  has_snapshot: number;
}

const toIncident = (r: IncidentRow): IncidentView => ({
  id: r.id,
  type: r.type,
  level: r.level,
  title: r.title,
  description: r.description,
  reporter: r.reporter,
  townshipId: r.township_id,
  location: [r.lat, r.lon],
  status: r.status,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
});

const toEntry = (r: TimelineRow): TimelineEntry => ({
  id: r.id,
  incidentId: r.incident_id,
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  kind: r.kind,
  text: r.text,
  hasSnapshot: r.has_snapshot === 1,
  data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
});

const TIMELINE_COLUMNS =
  'id, incident_id, at, actor_id, actor_name, kind, text, data, snapshot IS NOT NULL AS has_snapshot';

export function incidentRepository(db: Database): IncidentRepository {
  const insert = db.prepare<[IncidentRow]>(
    `INSERT INTO incidents (id, type, level, title, description, reporter, township_id, lat, lon, status,
       created_at, created_by, updated_at)
     VALUES (@id, @type, @level, @title, @description, @reporter, @township_id, @lat, @lon, @status,
       @created_at, @created_by, @updated_at)`,
  );
  const byId = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
  const filtered = db.prepare<[{ status: string | null; type: string | null; level: string | null }], IncidentRow>(
    `SELECT * FROM incidents WHERE (@status IS NULL OR status = @status) AND (@type IS NULL OR type = @type)
       AND (@level IS NULL OR level = @level) ORDER BY created_at DESC, id`,
  );
  const setStatus = db.prepare<[string, string, string]>(
    'UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?',
  );
  const insertEntry = db.prepare<[string, string, string, string, string, string, string | null, Buffer | null]>(
    `INSERT INTO incident_timeline (incident_id, at, actor_id, actor_name, kind, text, data, snapshot)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const entryById = db.prepare<[number], TimelineRow>(`SELECT ${TIMELINE_COLUMNS} FROM incident_timeline WHERE id = ?`);
  const entries = db.prepare<[string], TimelineRow>(
    `SELECT ${TIMELINE_COLUMNS} FROM incident_timeline WHERE incident_id = ? ORDER BY id`,
  );
  const snapshot = db.prepare<[string, number], { snapshot: Buffer | null }>(
    'SELECT snapshot FROM incident_timeline WHERE incident_id = ? AND id = ?',
  );

  return {
    create: (incident) => {
      try {
        insert.run({
          id: incident.id,
          type: incident.type,
          level: incident.level,
          title: incident.title,
          description: incident.description,
          reporter: incident.reporter,
          township_id: incident.townshipId,
          lat: incident.location[0],
          lon: incident.location[1],
          status: incident.status,
          created_at: incident.createdAt,
          created_by: incident.createdBy,
          updated_at: incident.updatedAt,
        });
      } catch (err) {
        if (err instanceof SqliteDatabase.SqliteError && err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw BeaconError.badRequest('unknown township');
        }
        throw err;
      }
      return incident;
    },
    get: (id) => {
      const row = byId.get(id);
      return row && toIncident(row);
    },
    list: (filter = {}) =>
      filtered
        .all({ status: filter.status ?? null, type: filter.type ?? null, level: filter.level ?? null })
        .map(toIncident),
    setStatus: (id, status, at) => {
      setStatus.run(status, at, id);
    },
    addTimeline: (entry) => {
      const at = new Date().toISOString();
      const data = entry.data == null ? null : JSON.stringify(entry.data);
      const { lastInsertRowid } = insertEntry.run(
        entry.incidentId,
        at,
        entry.actorId,
        entry.actorName,
        entry.kind,
        entry.text,
        data,
        entry.snapshot ?? null,
      );
      return toEntry(entryById.get(Number(lastInsertRowid)) as TimelineRow);
    },
    timeline: (incidentId) => entries.all(incidentId).map(toEntry),
    snapshot: (incidentId, entryId) => snapshot.get(incidentId, entryId)?.snapshot ?? undefined,
  };
}
