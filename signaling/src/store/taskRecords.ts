/** Dispatch tasks (调度任务): one row per township, a batch shares its id. */
import type { Database } from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import type { TaskView } from '../protocol/command.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { TaskRepository } from './commandTypes.ts';

interface TaskRow {
  id: string;
  batch_id: string;
  township_id: string;
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

export function taskRepository(db: Database): TaskRepository {
  const insert = db.prepare<[TaskRow]>(
    `INSERT INTO tasks (id, batch_id, township_id, text, deadline, incident_id, status, note, created_at, created_by,
       acked_at, done_at)
     VALUES (@id, @batch_id, @township_id, @text, @deadline, @incident_id, @status, @note, @created_at, @created_by,
       @acked_at, @done_at)`,
  );
  const byId = db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?');
  const filtered = db.prepare<[{ incident: string | null; township: string | null }], TaskRow>(
    `SELECT * FROM tasks WHERE (@incident IS NULL OR incident_id = @incident)
       AND (@township IS NULL OR township_id = @township)
     ORDER BY created_at, rowid`,
  );
  const setAcked = db.prepare<[string, string]>(
    "UPDATE tasks SET status = 'acknowledged', acked_at = ? WHERE id = ? AND status = 'sent'",
  );
  const setDone = db.prepare<[string, string, string, string]>(
    "UPDATE tasks SET status = 'done', note = ?, done_at = ?, acked_at = COALESCE(acked_at, ?) WHERE id = ?",
  );

  const get = (id: string, now = new Date()) => {
    const row = byId.get(id);
    return row && toTask(row, now);
  };
  const mustGet = (id: string) => {
    const task = get(id);
    if (!task) throw BeaconError.notFound('task');
    return task;
  };

  return {
    createBatch: (tasks) =>
      db.transaction(() => {
        for (const t of tasks) {
          try {
            insert.run({
              id: t.id,
              batch_id: t.batchId,
              township_id: t.townshipId,
              text: t.text,
              deadline: t.deadline,
              incident_id: t.incidentId,
              status: t.status,
              note: t.note,
              created_at: t.createdAt,
              created_by: t.createdBy,
              acked_at: t.ackedAt,
              done_at: t.doneAt,
            });
          } catch (err) {
            if (err instanceof SqliteDatabase.SqliteError && err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
              throw BeaconError.badRequest('unknown township or incident');
            }
            throw err;
          }
        }
        return tasks.map((t) => mustGet(t.id));
      })(),
    get,
    list: (filter = {}, now = new Date()) =>
      filtered
        .all({ incident: filter.incidentId ?? null, township: filter.townshipId ?? null })
        .map((r) => toTask(r, now)),
    ack: (id, at) => {
      setAcked.run(at, id);
      return mustGet(id);
    },
    done: (id, note, at) => {
      setDone.run(note, at, at, id);
      return mustGet(id);
    },
  };
}
