/**
 * The township's or department's dispatch tasks (调度任务): merge live updates, order for the screen, overdue at
 * read time.
 */
import type { Addressee, TaskView } from '@beacon/protocol';

/** Whether the task is addressed to `unit` (null: no unit to check, every task is). */
export function isFor(task: TaskView, unit: Addressee | null): boolean {
  if (unit === null) return true;
  return unit.kind === 'township' ? task.townshipId === unit.id : task.departmentId === unit.id;
}

/** Inserts or replaces `task`; tasks of other townships and departments are ignored (false). */
export function upsertTask(tasks: TaskView[], task: TaskView, unit: Addressee | null): boolean {
  if (!isFor(task, unit)) return false;
  const index = tasks.findIndex((t) => t.id === task.id);
  if (index >= 0) tasks.splice(index, 1, task);
  else tasks.push(task);
  return true;
}

/** The server computes `overdue` when it answers; the clock keeps moving after that. */
export function isOverdue(task: TaskView, now: number): boolean {
  return task.status !== 'done' && (task.overdue || Date.parse(task.deadline) < now);
}

/** Open tasks first (overdue, then the nearest deadline), done ones last (latest first). */
export function orderTasks(tasks: readonly TaskView[], now: number): TaskView[] {
  const open = tasks.filter((t) => t.status !== 'done');
  const done = tasks.filter((t) => t.status === 'done');
  open.sort(
    (a, b) => Number(isOverdue(b, now)) - Number(isOverdue(a, now)) || Date.parse(a.deadline) - Date.parse(b.deadline),
  );
  done.sort((a, b) => (b.doneAt ?? '').localeCompare(a.doneAt ?? ''));
  return [...open, ...done];
}
