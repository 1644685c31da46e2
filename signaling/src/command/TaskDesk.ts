/**
 * Dispatch tasks (调度任务): the city sends one text to several townships
 * (one task each, one batch); each township acknowledges, then reports done.
 */
import { randomUUID } from 'node:crypto';
import type { TaskView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { Actor, CommandBus } from './CommandBus.ts';
import { isStaff, requireStaff, requireTownship } from './staff.ts';

const logger = createLogger('TaskDesk');

export class TaskDesk {
  readonly #bus: CommandBus;

  constructor(bus: CommandBus) {
    this.#bus = bus;
  }

  async create(
    actor: Actor,
    input: { townshipIds: string[]; text: string; deadline: string; incidentId: string | null },
  ): Promise<TaskView[]> {
    requireStaff(actor);
    const { store } = this.#bus;
    const townshipIds = [...new Set(input.townshipIds)];
    for (const id of townshipIds)
      if (!(await store.townships.get(id))) throw BeaconError.badRequest(`unknown township "${id}"`);
    if (input.incidentId !== null && !(await store.incidents.get(input.incidentId)))
      throw BeaconError.badRequest('unknown incident');
    const batchId = randomUUID();
    const at = new Date().toISOString();
    const tasks = await this.#bus.audited(
      actor,
      (tx) =>
        tx.tasks.createBatch(
          townshipIds.map((townshipId) => ({
            id: randomUUID(),
            batchId,
            townshipId,
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
        detail: { townshipIds, text: input.text, deadline: input.deadline },
      }),
    );
    for (const task of tasks) this.#bus.emit('task', task);
    if (input.incidentId) {
      await this.#bus.note(actor, {
        incidentId: input.incidentId,
        kind: 'task',
        text: `${input.text}（${townshipIds.length} 个乡镇）`,
        data: { batchId },
      });
    }
    logger.info({ batchId, townships: townshipIds.length }, 'tasks dispatched');
    return tasks;
  }

  /** Staff: every task (of an incident); a township: only its own, and asking for another's is forbidden. */
  async list(
    actor: Actor,
    filter: { incidentId?: string | undefined; townshipId?: string | undefined },
  ): Promise<TaskView[]> {
    if (isStaff(actor)) return this.#bus.store.tasks.list(filter);
    const own = requireTownship(actor);
    if (filter.townshipId !== undefined && filter.townshipId !== own) {
      throw BeaconError.forbidden('只能查看本乡镇的任务 / a township sees only its own tasks');
    }
    return this.#bus.store.tasks.list({ incidentId: filter.incidentId, townshipId: own });
  }

  async #own(actor: Actor, taskId: string): Promise<TaskView> {
    const township = requireTownship(actor);
    const task = await this.#bus.store.tasks.get(taskId);
    if (!task) throw BeaconError.notFound('task');
    if (task.townshipId !== township) throw BeaconError.forbidden('这不是本乡镇的任务 / not your township’s task');
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
      const name = (await this.#bus.store.townships.get(task.townshipId))?.name ?? task.townshipId;
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
