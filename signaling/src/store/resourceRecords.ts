/**
 * Emergency resources (应急资源) in SQL: one generic repository per kind (the
 * table, its columns, how a row reads) and the teams' dispatch moves. Rows
 * are disabled, never deleted: dispatches and the audit refer to them.
 */
import type { DepotItem, DepotView, ExpertView, ShelterView, TeamView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { assertFree, columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import type { ResourceKindRepository, ResourceRepositories, TeamRepository } from './resourceTypes.ts';
import type { SqlQueries, SqlValue } from './sqlDb.ts';

type Row = Record<string, unknown>;

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => Number(v);

const toTeam = (r: Row): TeamView => ({
  id: String(r.id),
  name: String(r.name),
  kind: r.kind as TeamView['kind'],
  headcount: num(r.headcount),
  leaderName: text(r.leader_name),
  leaderPhone: text(r.leader_phone),
  townshipId: text(r.township_id),
  departmentId: text(r.department_id),
  lat: num(r.lat),
  lon: num(r.lon),
  status: r.status as TeamView['status'],
  dispatch:
    r.task_id && r.incident_id && r.dispatched_at
      ? { taskId: String(r.task_id), incidentId: String(r.incident_id), at: String(r.dispatched_at) }
      : null,
  enabled: num(r.enabled) === 1,
});
const toDepot = (r: Row): DepotView => ({
  id: String(r.id),
  name: String(r.name),
  townshipId: text(r.township_id),
  lat: num(r.lat),
  lon: num(r.lon),
  items: JSON.parse(String(r.items)) as DepotItem[],
  contactName: text(r.contact_name),
  contactPhone: text(r.contact_phone),
  enabled: num(r.enabled) === 1,
});
const toShelter = (r: Row): ShelterView => ({
  id: String(r.id),
  name: String(r.name),
  townshipId: text(r.township_id),
  address: text(r.address),
  lat: num(r.lat),
  lon: num(r.lon),
  capacity: num(r.capacity),
  occupancy: num(r.occupancy),
  contactName: text(r.contact_name),
  contactPhone: text(r.contact_phone),
  enabled: num(r.enabled) === 1,
});
const toExpert = (r: Row): ExpertView => ({
  id: String(r.id),
  name: String(r.name),
  field: String(r.field),
  phone: String(r.phone),
  unit: text(r.unit),
  enabled: num(r.enabled) === 1,
});

/** What differs between the kinds: the table, the input fields' columns, how a row reads, the unique key. */
interface KindSpec<View> {
  table: string;
  what: string;
  toView: (row: Row) => View;
  /** Input field → column; values are written as given except `items` (JSON). */
  columns: Record<string, string>;
  search: readonly string[];
  /** The unique column an import matches on, and its field and label for `conflict`. */
  key: { column: string; field: string; label: string };
}

const TEAM: KindSpec<TeamView> = {
  table: 'rescue_teams',
  what: 'team',
  toView: toTeam,
  columns: {
    name: 'name',
    kind: 'kind',
    headcount: 'headcount',
    leaderName: 'leader_name',
    leaderPhone: 'leader_phone',
    townshipId: 'township_id',
    departmentId: 'department_id',
    lat: 'lat',
    lon: 'lon',
  },
  search: ['name', 'leader_name', 'leader_phone'],
  key: { column: 'name', field: 'name', label: '队伍名称' },
};
const DEPOT: KindSpec<DepotView> = {
  table: 'depots',
  what: 'depot',
  toView: toDepot,
  columns: {
    name: 'name',
    townshipId: 'township_id',
    lat: 'lat',
    lon: 'lon',
    items: 'items',
    contactName: 'contact_name',
    contactPhone: 'contact_phone',
  },
  search: ['name', 'items', 'contact_name'],
  key: { column: 'name', field: 'name', label: '物资库名称' },
};
const SHELTER: KindSpec<ShelterView> = {
  table: 'shelters',
  what: 'shelter',
  toView: toShelter,
  columns: {
    name: 'name',
    townshipId: 'township_id',
    address: 'address',
    lat: 'lat',
    lon: 'lon',
    capacity: 'capacity',
    occupancy: 'occupancy',
    contactName: 'contact_name',
    contactPhone: 'contact_phone',
  },
  search: ['name', 'address', 'contact_name'],
  key: { column: 'name', field: 'name', label: '场所名称' },
};
const EXPERT: KindSpec<ExpertView> = {
  table: 'experts',
  what: 'expert',
  toView: toExpert,
  columns: { name: 'name', field: 'field', phone: 'phone', unit: 'unit' },
  search: ['name', 'field', 'phone', 'unit'],
  key: { column: 'phone', field: 'phone', label: '联系电话' },
};

/** Input fields as column values: the items list as JSON text, everything else as given. */
function valuesOf(input: Record<string, unknown>, columns: Record<string, string>): Record<string, SqlValue> {
  const withJson = input.items === undefined ? input : { ...input, items: JSON.stringify(input.items) };
  return columnsOf(withJson, columns);
}

function kindRepository<View, Create, Patch>(
  db: SqlQueries,
  spec: KindSpec<View>,
): ResourceKindRepository<View, Create, Patch> {
  const get = async (id: string) => {
    const row = await db.get<Row>(`SELECT * FROM ${spec.table} WHERE id = ?`, [id]);
    return row && spec.toView(row);
  };
  const fail = (err: unknown): never => rethrowConstraint(err, spec.key.field, spec.what);
  return {
    get,
    list: async (filter = {}) => {
      const where = filter.enabled === undefined ? '' : 'WHERE enabled = ?';
      const params = filter.enabled === undefined ? [] : [filter.enabled ? 1 : 0];
      return (await db.all<Row>(`SELECT * FROM ${spec.table} ${where} ORDER BY name, id`, params)).map(spec.toView);
    },
    findByKey: async (key) => {
      const row = await db.get<Row>(`SELECT * FROM ${spec.table} WHERE ${spec.key.column} = ?`, [key]);
      return row && spec.toView(row);
    },
    page: async (query) => {
      const page = await pageRows<Row>(db, { from: spec.table, search: spec.search, orderBy: 'name, id' }, query);
      return { total: page.total, items: page.items.map(spec.toView) };
    },
    create: async (input) => {
      const values = valuesOf(input as Record<string, unknown>, spec.columns);
      const columns = ['id', ...Object.keys(values), 'enabled', 'created_at'];
      try {
        await db.transaction(async (tx) => {
          await assertFree(tx, { table: spec.table, ...spec.key }, values[spec.key.column] as string);
          await tx.run(
            `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
            [input.id, ...Object.values(values), 1, new Date().toISOString()],
          );
        });
      } catch (err) {
        fail(err);
      }
      return (await get(input.id)) as View;
    },
    update: (id, patch) => {
      const values = valuesOf(patch as Record<string, unknown>, spec.columns);
      return updateRow(db, { table: spec.table, what: spec.what, toView: spec.toView }, id, values, (tx) =>
        assertFree(tx, { table: spec.table, ...spec.key }, values[spec.key.column] as string | undefined, id),
      ).catch(fail);
    },
    setEnabled: (id, enabled) =>
      updateRow(db, { table: spec.table, what: spec.what, toView: spec.toView }, id, { enabled: enabled ? 1 : 0 }),
  };
}

function teamRepository(db: SqlQueries): TeamRepository {
  const base = kindRepository<TeamView, never, never>(db, TEAM) as unknown as TeamRepository;
  const mustGet = async (tx: SqlQueries, id: string) => {
    const row = await tx.get<Row>('SELECT * FROM rescue_teams WHERE id = ?', [id]);
    if (!row) throw BeaconError.notFound('team');
    return toTeam(row);
  };
  return {
    ...base,
    dispatches: async (incidentId) =>
      (
        await db.all<Row>(
          `SELECT d.team_id, t.name AS team_name, d.task_id, d.dispatched_at, d.dispatched_by, d.returned_at
           FROM team_dispatches d JOIN rescue_teams t ON t.id = d.team_id
           WHERE d.incident_id = ? ORDER BY d.dispatched_at, d.id`,
          [incidentId],
        )
      ).map((r) => ({
        teamId: String(r.team_id),
        teamName: String(r.team_name),
        taskId: String(r.task_id),
        dispatchedAt: String(r.dispatched_at),
        dispatchedBy: String(r.dispatched_by),
        returnedAt: text(r.returned_at),
      })),
    deploy: (d) =>
      db.transaction(async (tx) => {
        const moved = await tx.run(
          `UPDATE rescue_teams SET status = 'deployed', task_id = ?, incident_id = ?, dispatched_at = ?
           WHERE id = ? AND status IN ('available', 'returned')`,
          [d.taskId, d.incidentId, d.at, d.teamId],
        );
        if (moved.changes === 0) {
          await mustGet(tx, d.teamId);
          throw new BeaconError('invalid_transition', '队伍已在出动中 / the team is deployed already');
        }
        await tx.run(
          `INSERT INTO team_dispatches (id, team_id, incident_id, task_id, dispatched_at, dispatched_by, returned_at)
           VALUES (?, ?, ?, ?, ?, ?, NULL)`,
          [d.id, d.teamId, d.incidentId, d.taskId, d.at, d.by],
        );
        return mustGet(tx, d.teamId);
      }),
    returnByTask: (taskId, at) =>
      db.transaction(async (tx) => {
        const teams = await tx.all<Row>("SELECT id FROM rescue_teams WHERE task_id = ? AND status = 'deployed'", [
          taskId,
        ]);
        const back: TeamView[] = [];
        for (const { id } of teams) {
          await tx.run(
            "UPDATE rescue_teams SET status = 'returned', task_id = NULL, incident_id = NULL, dispatched_at = NULL WHERE id = ?",
            [String(id)],
          );
          await tx.run('UPDATE team_dispatches SET returned_at = ? WHERE team_id = ? AND returned_at IS NULL', [
            at,
            String(id),
          ]);
          back.push(await mustGet(tx, String(id)));
        }
        return back;
      }),
    setStatus: (id, from, to, at) =>
      db.transaction(async (tx) => {
        const moved = await tx.run(
          `UPDATE rescue_teams SET status = ?, task_id = NULL, incident_id = NULL, dispatched_at = NULL
           WHERE id = ? AND status = ?`,
          [to, id, from],
        );
        if (moved.changes === 0) {
          await mustGet(tx, id);
          throw new BeaconError('invalid_transition', '队伍状态已变化 / the team’s status changed meanwhile');
        }
        if (from === 'deployed') {
          await tx.run('UPDATE team_dispatches SET returned_at = ? WHERE team_id = ? AND returned_at IS NULL', [
            at,
            id,
          ]);
        }
        return mustGet(tx, id);
      }),
  };
}

export function resourceRepositories(db: SqlQueries): ResourceRepositories {
  return {
    teams: teamRepository(db),
    depots: kindRepository(db, DEPOT),
    shelters: kindRepository(db, SHELTER),
    experts: kindRepository(db, EXPERT),
  };
}
