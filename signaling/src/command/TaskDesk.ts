/**
 * Dispatch tasks (调度任务): the city sends one text to several townships and
 * departments (one task each, one batch); each acknowledges, then reports done.
 * A task is private to its addressee: another township or department is refused.
 */
import { randomUUID } from 'node:crypto';
import type { TaskView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { addresseeName, addresseeOf, enabledDepartmentIds, sameAddressee } from './addressees.ts';
import type { Actor, CommandBus } from './CommandBus.ts';
import { isStaff, requireStaff, requireUnit } from './staff.ts';

const logger = createLogger('TaskDesk');

export class TaskDesk {
  readonly #bus: CommandBus;

  constructor(bus: CommandBus) {
    this.#bus = bus;
  }

  async create(
    actor: Actor,
    input: {
      townshipIds: string[];
      departmentIds?: string[];
      text: string;
      deadline: string;
      incidentId: string | null;
    },
  ): Promise<TaskView[]> {
    requireStaff(actor);
    const { store } = this.#bus;
    const townshipIds = [...new Set(input.townshipIds)];
    for (const id of townshipIds)
      if (!(await store.townships.get(id))) throw BeaconError.badRequest(`unknown township "${id}"`);
    const departmentIds = await enabledDepartmentIds(store, input.departmentIds ?? []);
    if (townshipIds.length + departmentIds.length === 0)
      throw BeaconError.badRequest('至少选择一个乡镇或部门 / choose at least one township or department');
    if (input.incidentId !== null && !(await store.incidents.get(input.incidentId)))
      throw BeaconError.badRequest('unknown incident');
    const batchId = randomUUID();
    const at = new Date().toISOString();
    const addressees = [
      ...townshipIds.map((townshipId) => ({ townshipId, departmentId: null })),
      ...departmentIds.map((departmentId) => ({ townshipId: null, departmentId })),
    ];
    const tasks = await this.#bus.audited(
      actor,
      (tx) =>
        tx.tasks.createBatch(
          addressees.map((to) => ({
            id: randomUUID(),
            batchId,
            ...to,
            text: input.text,
            deadline: input.deadline,
            incidentId: input.incidentId,
            status: 'sent' as const,
            note: null,
            createdAt: at,
            createdBy: actor.userId,
            ackedAt: null,
            doneAt: null,
          })),
        ),
      () => ({
        action: 'task.create',
        target: batchId,
        detail: { townshipIds, departmentIds, text: input.text, deadline: input.deadline },
      }),
    );
    for (const task of tasks) this.#bus.emit('task', task);
    if (input.incidentId) {
      await this.#bus.note(actor, {
        incidentId: input.incidentId,
        kind: 'task',
        text: `${input.text}（${units(townshipIds.length, departmentIds.length)}）`,
        data: { batchId },
      });
    }
    logger.info({ batchId, townships: townshipIds.length, departments: departmentIds.length }, 'tasks dispatched');
    return tasks;
  }

  /**
   * Staff: every task (of an incident); a township or department: only its own, and asking for another
   * unit's is forbidden.
   */
  async list(
    actor: Actor,
    filter: { incidentId?: string | undefined; townshipId?: string | undefined; departmentId?: string | undefined },
  ): Promise<TaskView[]> {
    if (isStaff(actor)) return this.#bus.store.tasks.list(filter);
    const own = requireUnit(actor);
    const asked = [
      filter.townshipId === undefined ? null : ({ kind: 'township', id: filter.townshipId } as const),
      filter.departmentId === undefined ? null : ({ kind: 'department', id: filter.departmentId } as const),
    ];
    if (asked.some((to) => to !== null && !sameAddressee(to, own))) {
      throw BeaconError.forbidden('只能查看本单位的任务 / a township or department sees only its own tasks');
    }
    return this.#bus.store.tasks.list({
      incidentId: filter.incidentId,
      ...(own.kind === 'township' ? { townshipId: own.id } : { departmentId: own.id }),
    });
  }

  async #own(actor: Actor, taskId: string): Promise<TaskView> {
    const own = requireUnit(actor);
    const task = await this.#bus.store.tasks.get(taskId);
    if (!task) throw BeaconError.notFound('task');
    if (!sameAddressee(addresseeOf(task), own)) {
      throw BeaconError.forbidden('这不是本单位的任务 / not your township’s or department’s task');
    }
    return task;
  }

  async ack(actor: Actor, taskId: string): Promise<TaskView> {
    const before = await this.#own(actor, taskId);
    if (before.status !== 'sent') return before;
    const task = await this.#bus.audited(
      actor,
      (tx) => tx.tasks.ack(taskId, new Date().toISOString()),
      (after) => ({ action: 'task.ack', target: taskId, detail: { before: before.status, after: after.status } }),
    );
    this.#bus.emit('task', task);
    return task;
  }

  async done(actor: Actor, taskId: string, note: string): Promise<TaskView> {
    const before = await this.#own(actor, taskId);
    if (before.status === 'done') return before;
    const task = await this.#bus.audited(
      actor,
      (tx) => tx.tasks.done(taskId, note, new Date().toISOString()),
      (after) => ({
        action: 'task.done',
        target: taskId,
        detail: { before: before.status, after: after.status, note },
      }),
    );
    this.#bus.emit('task', task);
    if (task.incidentId) {
      const name = await addresseeName(this.#bus.store, addresseeOf(task));
      await this.#bus.note(actor, {
        incidentId: task.incidentId,
        kind: 'task',
        text: `${name} 完成任务：${task.text}${note ? `（${note}）` : ''}`,
        data: { taskId },
      });
    }
    return task;
  }
}

/** "3 个乡镇、1 个部门" for the incident's timeline. */
function units(townships: number, departments: number): string {
  const parts = [];
  if (townships > 0) parts.push(`${townships} 个乡镇`);
  if (departments > 0) parts.push(`${departments} 个部门`);
  return parts.join('、');
}
