/** Emergency plans, incident responses and their checklists on both dialects. */
import type {
  ChecklistItemView,
  IncidentResponseView,
  IncidentType,
  PlanInput,
  PlanUnitKind,
  PlanView,
  ResponseLevel,
} from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { NewChecklistItem, PlanRepository } from './planTypes.ts';
import { constraintOf, type SqlQueries, type SqlValue } from './sqlDb.ts';

interface PlanRow {
  id: string;
  incident_type: IncidentType;
  level: ResponseLevel;
  version: number;
  title: string;
  content: string;
  created_at: string;
  created_by_name: string;
}

interface ItemRow {
  id: string;
  response_id: string;
  position: number;
  text: string;
  unit_kind: PlanUnitKind;
  unit_id: string | null;
  due_at: string;
  done_at: string | null;
  done_by_name: string | null;
  overdue: number;
  incident_id: string;
  incident_title: string;
  ended_at: string | null;
  unit_name: string | null;
}

interface ResponseRow {
  id: string;
  incident_id: string;
  plan_id: string;
  level: ResponseLevel;
  started_at: string;
  started_by_name: string;
  ended_at: string | null;
  tasks_sent_at: string | null;
  plan_title: string;
  plan_version: number;
}

/** What the checklist calls the city's duty desk. */
export const DESK_NAME = '值班室';

const ITEM_SELECT = `SELECT i.id, i.response_id, i.position, i.text, i.unit_kind, i.unit_id, i.due_at, i.done_at,
    i.done_by_name, i.overdue, r.incident_id, r.ended_at, inc.title AS incident_title,
    COALESCE(t.name, d.name) AS unit_name
  FROM checklist_items i
  JOIN incident_responses r ON r.id = i.response_id
  JOIN incidents inc ON inc.id = r.incident_id
  LEFT JOIN townships t ON i.unit_kind = 'township' AND t.id = i.unit_id
  LEFT JOIN departments d ON i.unit_kind = 'department' AND d.id = i.unit_id`;

const RESPONSE_SELECT = `SELECT r.id, r.incident_id, r.plan_id, r.level, r.started_at, r.started_by_name, r.ended_at,
    r.tasks_sent_at, p.title AS plan_title, p.version AS plan_version
  FROM incident_responses r JOIN plans p ON p.id = r.plan_id`;

const toPlan = (r: PlanRow): PlanView => ({
  ...(JSON.parse(r.content) as PlanInput),
  id: r.id,
  type: r.incident_type,
  level: r.level,
  version: r.version,
  title: r.title,
  createdAt: r.created_at,
  createdByName: r.created_by_name,
});

function toItem(r: ItemRow, now: number): ChecklistItemView {
  const superseded = r.ended_at !== null;
  const open = r.done_at === null && !superseded;
  return {
    id: r.id,
    responseId: r.response_id,
    incidentId: r.incident_id,
    incidentTitle: r.incident_title,
    position: r.position,
    text: r.text,
    unitKind: r.unit_kind,
    unitId: r.unit_id,
    unitName: r.unit_kind === 'desk' ? DESK_NAME : (r.unit_name ?? r.unit_id ?? ''),
    dueAt: r.due_at,
    doneAt: r.done_at,
    doneByName: r.done_by_name,
    // The watch's flag, or the clock between two ticks of the watch: an open item past due is overdue either way.
    overdue: open && (r.overdue === 1 || Date.parse(r.due_at) <= now),
    superseded,
  };
}

async function insertItems(tx: SqlQueries, responseId: string, items: readonly NewChecklistItem[]): Promise<void> {
  for (const item of items) {
    await tx.run(
      `INSERT INTO checklist_items (id, response_id, position, text, unit_kind, unit_id, due_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [item.id, responseId, item.position, item.text, item.unitKind, item.unitId, item.dueAt],
    );
  }
}

export function planRepository(db: SqlQueries): PlanRepository {
  const plan = async (q: SqlQueries, where: string, params: SqlValue[]) => {
    const row = await q.get<PlanRow>(`SELECT * FROM plans WHERE ${where}`, params);
    return row && toPlan(row);
  };
  const item = async (q: SqlQueries, id: string) => {
    const row = await q.get<ItemRow>(`${ITEM_SELECT} WHERE i.id = ?`, [id]);
    return row && toItem(row, Date.now());
  };
  const responses = async (q: SqlQueries, where: string, params: SqlValue[]): Promise<IncidentResponseView[]> => {
    const rows = await q.all<ResponseRow>(`${RESPONSE_SELECT} WHERE ${where} ORDER BY r.started_at, r.id`, params);
    const now = Date.now();
    const views: IncidentResponseView[] = [];
    for (const r of rows) {
      const items = await q.all<ItemRow>(`${ITEM_SELECT} WHERE i.response_id = ? ORDER BY i.position`, [r.id]);
      views.push({
        id: r.id,
        incidentId: r.incident_id,
        level: r.level,
        planId: r.plan_id,
        planTitle: r.plan_title,
        planVersion: r.plan_version,
        startedAt: r.started_at,
        startedByName: r.started_by_name,
        endedAt: r.ended_at,
        tasksSentAt: r.tasks_sent_at,
        checklist: items.map((i) => toItem(i, now)),
      });
    }
    return views;
  };

  const saveOnce = (p: Parameters<PlanRepository['saveVersion']>[0]) =>
    db.transaction(async (tx) => {
      const latest = await tx.get<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM plans WHERE incident_type = ? AND level = ?',
        [p.type, p.level],
      );
      const { title, ...rest } = p.content;
      await tx.run(
        `INSERT INTO plans (id, incident_type, level, version, title, content, created_at, created_by, created_by_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          p.id,
          p.type,
          p.level,
          (latest?.version ?? 0) + 1,
          title,
          JSON.stringify({ title, ...rest }),
          p.createdAt,
          p.createdBy,
          p.createdByName,
        ],
      );
      return (await plan(tx, 'id = ?', [p.id])) as PlanView;
    });

  return {
    saveVersion: async (p) => {
      // Two editors saving at once compute the same next number; the unique key refuses the second, which retries.
      for (let attempt = 1; ; attempt++) {
        try {
          return await saveOnce(p);
        } catch (err) {
          if (constraintOf(err) !== 'unique' || attempt >= 3) throw err;
        }
      }
    },
    get: (id) => plan(db, 'id = ?', [id]),
    current: (type, level) => plan(db, 'incident_type = ? AND level = ? ORDER BY version DESC LIMIT 1', [type, level]),
    versions: async (type, level) =>
      (
        await db.all<PlanRow>('SELECT * FROM plans WHERE incident_type = ? AND level = ? ORDER BY version DESC', [
          type,
          level,
        ])
      ).map(toPlan),
    listCurrent: async () =>
      (
        await db.all<PlanRow>(
          `SELECT p.* FROM plans p WHERE p.version =
             (SELECT MAX(q.version) FROM plans q WHERE q.incident_type = p.incident_type AND q.level = p.level)
           ORDER BY p.incident_type, p.level`,
        )
      ).map(toPlan),
    startResponse: (response, items) =>
      db
        .transaction(async (tx) => {
          await tx.run('UPDATE incident_responses SET ended_at = ? WHERE incident_id = ? AND ended_at IS NULL', [
            response.startedAt,
            response.incidentId,
          ]);
          await tx.run(
            `INSERT INTO incident_responses (id, incident_id, plan_id, level, started_at, started_by, started_by_name)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
            [
              response.id,
              response.incidentId,
              response.planId,
              response.level,
              response.startedAt,
              response.startedBy,
              response.startedByName,
            ],
          );
          await insertItems(tx, response.id, items);
          await tx.run('UPDATE incidents SET level = ?, updated_at = ? WHERE id = ?', [
            response.level,
            response.startedAt,
            response.incidentId,
          ]);
          return (await responses(tx, 'r.id = ?', [response.id]))[0] as IncidentResponseView;
        })
        .catch((err: unknown) => {
          if (constraintOf(err) === 'unique') {
            throw new BeaconError('invalid_state', '响应正在被他人启动，请刷新 / another response was just started');
          }
          throw err;
        }),
    responses: (incidentId) => responses(db, 'r.incident_id = ?', [incidentId]),
    markTasksSent: async (responseId, at) =>
      (
        await db.run(
          'UPDATE incident_responses SET tasks_sent_at = ? WHERE id = ? AND tasks_sent_at IS NULL AND ended_at IS NULL',
          [at, responseId],
        )
      ).changes === 1,
    item: (id) => item(db, id),
    tick: async (id, by, at) => {
      // Conditional: of two ticks at once (two terminals of a township) one writes, the other reads it back done.
      const changed = await db.run(
        `UPDATE checklist_items SET done_at = ?, done_by = ?, done_by_name = ?
          WHERE id = ? AND done_at IS NULL
            AND response_id IN (SELECT id FROM incident_responses WHERE ended_at IS NULL)`,
        [at, by.userId, by.name, id],
      );
      return changed.changes === 1 ? item(db, id) : undefined;
    },
    runningItems: async (unit) => {
      const where = ['r.ended_at IS NULL'];
      const params: SqlValue[] = [];
      if (unit) {
        where.push(unit.id === null ? 'i.unit_kind = ? AND i.unit_id IS NULL' : 'i.unit_kind = ? AND i.unit_id = ?');
        params.push(unit.kind, ...(unit.id === null ? [] : [unit.id]));
      }
      const rows = await db.all<ItemRow>(
        `${ITEM_SELECT} WHERE ${where.join(' AND ')}
          ORDER BY CASE WHEN i.done_at IS NULL THEN 0 ELSE 1 END, i.due_at, i.position`,
        params,
      );
      const now = Date.now();
      return rows.map((r) => toItem(r, now));
    },
    flagOverdue: async (now) => {
      const flagged = await db.all<{ id: string }>(
        `UPDATE checklist_items SET overdue = 1
          WHERE done_at IS NULL AND overdue = 0 AND due_at <= ?
            AND response_id IN (SELECT id FROM incident_responses WHERE ended_at IS NULL)
          RETURNING id`,
        [now],
      );
      const items: ChecklistItemView[] = [];
      const at = Date.now();
      // Read back in slices: a parameter list stays well under both databases' limits.
      for (let i = 0; i < flagged.length; i += 500) {
        const ids = flagged.slice(i, i + 500).map((r) => r.id);
        const rows = await db.all<ItemRow>(
          `${ITEM_SELECT} WHERE i.id IN (${ids.map(() => '?').join(', ')}) ORDER BY i.due_at, i.id`,
          ids,
        );
        items.push(...rows.map((r) => toItem(r, at)));
      }
      return items;
    },
  };
}
