/** Dispatch tasks (调度任务): one row per township or department, a batch shares its id. */
import type { TaskView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { TaskRepository } from './commandTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

interface TaskRow {
  id: string;
  batch_id: string;
  township_id: string | null;
  department_id: string | null;
  text: string;
  deadline: string;
  incident_id: string | null;
  status: TaskView['status'];
  note: string | null;
  created_at: string;
  created_by: string;
  acked_at: string | null;
  done_at: string | null;
}

/** Overdue is computed at read time: the deadline passed and the task is not done. */
const toTask = (r: TaskRow, now: Date): TaskView => ({
  id: r.id,
  batchId: r.batch_id,
  townshipId: r.township_id,
  departmentId: r.department_id,
  text: r.text,
  deadline: r.deadline,
  incidentId: r.incident_id,
  status: r.status,
  note: r.note,
  createdAt: r.created_at,
  createdBy: r.created_by,
  ackedAt: r.acked_at,
  doneAt: r.done_at,
  overdue: r.status !== 'done' && Date.parse(r.deadline) < now.getTime(),
});

export function taskRepository(db: SqlQueries): TaskRepository {
  const get = async (q: SqlQueries, id: string, now = new Date()) => {
    const row = await q.get<TaskRow>('SELECT * FROM tasks WHERE id = ?', [id]);
    return row && toTask(row, now);
  };
  const mustGet = async (q: SqlQueries, id: string) => {
    const task = await get(q, id);
    if (!task) throw BeaconError.notFound('task');
    return task;
  };

  return {
    createBatch: (tasks) =>
      db.transaction(async (tx) => {
        for (const t of tasks) {
          try {
            await tx.run(
              `INSERT INTO tasks (id, batch_id, township_id, text, deadline, incident_id, status, note, created_at,
                 created_by, acked_at, done_at, department_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [
                t.id,
                t.batchId,
                t.townshipId,
                t.text,
                t.deadline,
                t.incidentId,
                t.status,
                t.note,
                t.createdAt,
                t.createdBy,
                t.ackedAt,
                t.doneAt,
                t.departmentId,
              ],
            );
          } catch (err) {
            if (constraintOf(err) === 'foreign_key')
              throw BeaconError.badRequest('unknown township, department or incident');
            throw err;
          }
        }
        const created: TaskView[] = [];
        for (const t of tasks) created.push(await mustGet(tx, t.id));
        return created;
      }),
    get: (id, now) => get(db, id, now),
    list: async (filter = {}, now = new Date()) => {
      const incident = filter.incidentId ?? null;
      const township = filter.townshipId ?? null;
      const department = filter.departmentId ?? null;
      return (
        await db.all<TaskRow>(
          `SELECT * FROM tasks WHERE (CAST(? AS TEXT) IS NULL OR incident_id = ?)
             AND (CAST(? AS TEXT) IS NULL OR township_id = ?)
             AND (CAST(? AS TEXT) IS NULL OR department_id = ?)
           ORDER BY created_at, rowid`,
          [incident, incident, township, township, department, department],
        )
      ).map((r) => toTask(r, now));
    },
    ack: async (id, at) => {
      await db.run("UPDATE tasks SET status = 'acknowledged', acked_at = ? WHERE id = ? AND status = 'sent'", [at, id]);
      return mustGet(db, id);
    },
    done: async (id, note, at) => {
      await db.run(
        "UPDATE tasks SET status = 'done', note = ?, done_at = ?, acked_at = COALESCE(acked_at, ?) WHERE id = ?",
        [note, at, at, id],
      );
      return mustGet(db, id);
    },
  };
}
