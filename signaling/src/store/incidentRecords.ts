/** Incidents and their timelines (migration 4), the departments they involve (migration 10). */
import type { IncidentType, IncidentView, ResponseLevel, TimelineEntry, TimelineKind } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { IncidentRepository } from './commandTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

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

const toIncident = (r: IncidentRow, departmentIds: string[]): IncidentView => ({
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
  departmentIds,
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

// CASE, not `snapshot IS NOT NULL`: SQLite answers 1, PostgreSQL true.
const TIMELINE_COLUMNS =
  'id, incident_id, at, actor_id, actor_name, kind, text, data, CASE WHEN snapshot IS NULL THEN 0 ELSE 1 END AS has_snapshot';

/** Department ids per incident, in the order they were added. */
async function departmentsOf(q: SqlQueries, incidentIds: readonly string[]): Promise<Map<string, string[]>> {
  const byIncident = new Map<string, string[]>(incidentIds.map((id) => [id, []]));
  if (incidentIds.length === 0) return byIncident;
  const rows = await q.all<{ incident_id: string; department_id: string }>(
    `SELECT incident_id, department_id FROM incident_departments
     WHERE incident_id IN (${incidentIds.map(() => '?').join(', ')}) ORDER BY rowid`,
    [...incidentIds],
  );
  for (const r of rows) byIncident.get(r.incident_id)?.push(r.department_id);
  return byIncident;
}

async function withDepartments(q: SqlQueries, rows: IncidentRow[]): Promise<IncidentView[]> {
  const departments = await departmentsOf(
    q,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toIncident(r, departments.get(r.id) ?? []));
}

async function insertDepartments(q: SqlQueries, incidentId: string, departmentIds: readonly string[]): Promise<void> {
  for (const departmentId of departmentIds) {
    await q.run('INSERT INTO incident_departments (incident_id, department_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [
      incidentId,
      departmentId,
    ]);
  }
}

export function incidentRepository(db: SqlQueries): IncidentRepository {
  const entryById = (id: number) =>
    db.get<TimelineRow>(`SELECT ${TIMELINE_COLUMNS} FROM incident_timeline WHERE id = ?`, [id]);
  return {
    create: async (incident) => {
      try {
        await db.transaction(async (tx) => {
          await tx.run(
            `INSERT INTO incidents (id, type, level, title, description, reporter, township_id, lat, lon, status,
             created_at, created_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              incident.id,
              incident.type,
              incident.level,
              incident.title,
              incident.description,
              incident.reporter,
              incident.townshipId,
              incident.location[0],
              incident.location[1],
              incident.status,
              incident.createdAt,
              incident.createdBy,
              incident.updatedAt,
            ],
          );
          await insertDepartments(tx, incident.id, incident.departmentIds);
        });
      } catch (err) {
        if (constraintOf(err) === 'foreign_key') throw BeaconError.badRequest('unknown township or department');
        throw err;
      }
      return incident;
    },
    get: async (id) => {
      const row = await db.get<IncidentRow>('SELECT * FROM incidents WHERE id = ?', [id]);
      return row && (await withDepartments(db, [row]))[0];
    },
    setDepartments: async (id, departmentIds, at) => {
      try {
        await db.transaction(async (tx) => {
          await tx.run('DELETE FROM incident_departments WHERE incident_id = ?', [id]);
          await insertDepartments(tx, id, departmentIds);
          await tx.run('UPDATE incidents SET updated_at = ? WHERE id = ?', [at, id]);
        });
      } catch (err) {
        if (constraintOf(err) === 'foreign_key') throw BeaconError.badRequest('unknown department');
        throw err;
      }
    },
    list: async (filter = {}) => {
      // Each filter twice: "no filter (NULL) or equal". CAST gives PostgreSQL the parameter's type.
      const status = filter.status ?? null;
      const type = filter.type ?? null;
      const level = filter.level ?? null;
      const department = filter.departmentId ?? null;
      return withDepartments(
        db,
        await db.all<IncidentRow>(
          `SELECT * FROM incidents WHERE (CAST(? AS TEXT) IS NULL OR status = ?)
             AND (CAST(? AS TEXT) IS NULL OR type = ?) AND (CAST(? AS TEXT) IS NULL OR level = ?)
             AND (CAST(? AS TEXT) IS NULL OR id IN (SELECT incident_id FROM incident_departments WHERE department_id = ?))
           ORDER BY created_at DESC, id`,
          [status, status, type, type, level, level, department, department],
        ),
      );
    },
    setStatus: async (id, status, at) => {
      await db.run('UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?', [status, at, id]);
    },
    addTimeline: async (entry) => {
      const at = new Date().toISOString();
      const data = entry.data == null ? null : JSON.stringify(entry.data);
      const inserted = await db.get<{ id: number }>(
        `INSERT INTO incident_timeline (incident_id, at, actor_id, actor_name, kind, text, data, snapshot)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [entry.incidentId, at, entry.actorId, entry.actorName, entry.kind, entry.text, data, entry.snapshot ?? null],
      );
      return toEntry((await entryById(Number(inserted?.id))) as TimelineRow);
    },
    timeline: async (incidentId) =>
      (
        await db.all<TimelineRow>(
          `SELECT ${TIMELINE_COLUMNS} FROM incident_timeline WHERE incident_id = ? ORDER BY id`,
          [incidentId],
        )
      ).map(toEntry),
    snapshot: async (incidentId, entryId) =>
      (
        await db.get<{ snapshot: Buffer | null }>(
          'SELECT snapshot FROM incident_timeline WHERE incident_id = ? AND id = ?',
          [incidentId, entryId],
        )
      )?.snapshot ?? undefined,
  };
}
