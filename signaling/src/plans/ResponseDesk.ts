/**
 * Starting a response (启动响应) on an incident at a level: the newest plan of
 * the incident's type and that level becomes the incident's checklist (who
 * must do what by when), the warning form's prefill, a preview of the tasks
 * to send, and the meeting's invitees (involved in the incident, so the
 * one-click 会商 invites them). Raising or lowering the level starts the other
 * level's plan; the earlier response and its checklist stay as history, and
 * the incident's timeline says what changed.
 *
 * Checklist items are ticked by whoever is responsible: the duty desk (the
 * command room's staff), or the township or department named — from its own
 * page. Ticking another unit's item is `forbidden` and changes nothing.
 *
 * Events: `checklist` (an item changed: started, ticked, overdue) and
 * `response` (an incident's response started, switched, or sent its tasks);
 * PlanEmitter turns them into socket emits.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import {
  BeaconError,
  type ChecklistItemView,
  type IncidentResponseView,
  type IncidentView,
  type ResponseLevel,
  type ResponseStateView,
  type TaskView,
} from '@beacon/protocol';
import { enabledDepartmentIds } from '../command/addressees.ts';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import type { IncidentDesk } from '../command/IncidentDesk.ts';
import { isStaff, requireStaff, unitOf } from '../command/staff.ts';
import type { TaskDesk } from '../command/TaskDesk.ts';
import { createLogger } from '../logger.ts';
import { checklistFor, taskPreview, warningPrefill } from './planInstantiation.ts';

const logger = createLogger('ResponseDesk');

export type ResponseDeskEvents = {
  checklist: [ChecklistItemView];
  response: [{ incidentId: string }];
};

/** May the actor tick the item: the desk's are the staff's, a unit's are its own accounts'. */
export function mayTick(actor: Actor, item: Pick<ChecklistItemView, 'unitKind' | 'unitId'>): boolean {
  if (item.unitKind === 'desk') return isStaff(actor);
  const own = unitOf(actor);
  return own !== null && own.kind === item.unitKind && own.id === item.unitId;
}

const summary = (r: IncidentResponseView | undefined) =>
  r ? { id: r.id, level: r.level, planId: r.planId, planVersion: r.planVersion, items: r.checklist.length } : null;

export class ResponseDesk extends TypedEmitter<ResponseDeskEvents> {
  readonly #bus: CommandBus;
  readonly #incidents: IncidentDesk;
  readonly #tasks: TaskDesk;

  constructor(opts: { bus: CommandBus; incidents: IncidentDesk; tasks: TaskDesk }) {
    super();
    this.#bus = opts.bus;
    this.#incidents = opts.incidents;
    this.#tasks = opts.tasks;
  }

  /** Starts the response at `level`, or switches the running one to it. */
  async start(actor: Actor, incidentId: string, level: ResponseLevel): Promise<ResponseStateView> {
    requireStaff(actor);
    const { store } = this.#bus;
    const incident = await this.#incidents.get(incidentId);
    if (incident.status === 'closed') {
      throw new BeaconError('invalid_state', '事件已关闭 / the incident is closed');
    }
    const running = (await store.plans.responses(incidentId)).find((r) => r.endedAt === null);
    if (running?.level === level) {
      throw new BeaconError('invalid_state', `已在 ${level} 级响应中 / already responding at level ${level}`);
    }
    const plan = await store.plans.current(incident.type, level);
    if (!plan) {
      throw new BeaconError(
        'plan_missing',
        `没有 ${incident.type} ${level} 级预案 / no plan for ${incident.type} ${level}`,
      );
    }
    const startedAt = new Date().toISOString();
    const enabled = {
      townships: new Set((await store.townships.list()).filter((t) => t.enabled).map((t) => t.id)),
      departments: new Set((await store.departments.list()).filter((d) => d.enabled).map((d) => d.id)),
    };
    const started = await this.#bus.audited(
      actor,
      (tx) =>
        tx.plans.startResponse(
          {
            id: randomUUID(),
            incidentId,
            planId: plan.id,
            level,
            startedAt,
            startedBy: actor.userId,
            startedByName: actor.displayName,
          },
          checklistFor(plan, incident, startedAt, enabled),
        ),
      (after) => ({
        action: running ? 'response.switch' : 'response.start',
        target: incidentId,
        detail: { before: summary(running), after: summary(after) },
      }),
    );
    const what = `${plan.title}（第 ${plan.version} 版，${started.checklist.length} 项）`;
    await this.#bus.note(actor, {
      incidentId,
      kind: 'note',
      text: running
        ? `【应急预案】响应级别 ${running.level} → ${level}：${what}`
        : `【应急预案】启动 ${level} 级响应：${what}`,
      data: { responseId: started.id, planId: plan.id, from: running?.level ?? null, to: level },
    });
    await this.#involve(actor, incident, plan.meetingDepartmentIds, enabled.departments);
    await this.#toResponding(actor, incident);
    this.#bus.emit('incident', await this.#incidents.get(incidentId));
    for (const item of started.checklist) this.safeEmit('checklist', item);
    if (running) for (const item of running.checklist) this.safeEmit('checklist', { ...item, superseded: true });
    this.safeEmit('response', { incidentId });
    logger.info({ incidentId, level, from: running?.level ?? null, planId: plan.id }, 'response started');
    return this.state(actor, incidentId);
  }

  /** The running response with its prefill and previews, and the earlier ones (the command room). */
  async state(actor: Actor, incidentId: string): Promise<ResponseStateView> {
    requireStaff(actor);
    const incident = await this.#incidents.get(incidentId);
    const all = await this.#bus.store.plans.responses(incidentId);
    const current = all.find((r) => r.endedAt === null) ?? null;
    const plan = current ? await this.#bus.store.plans.get(current.planId) : undefined;
    const affectedTownshipIds = await this.#affectedTownships(incident);
    return {
      current,
      history: all.filter((r) => r !== current).reverse(),
      warning: plan ? warningPrefill(plan, incident) : null,
      tasks: plan ? taskPreview(plan, affectedTownshipIds) : [],
      affectedTownshipIds,
      meetingDepartmentIds: plan?.meetingDepartmentIds ?? [],
      location: incident.location,
    };
  }

  /**
   * Sends the running plan's tasks through the task desk (one batch per template), once. `townshipIds`, when
   * given, replaces the affected townships the preview proposed (the officer added or removed some).
   */
  async sendTasks(actor: Actor, incidentId: string, townshipIds?: string[]): Promise<TaskView[]> {
    requireStaff(actor);
    const { store } = this.#bus;
    const state = await this.state(actor, incidentId);
    if (!state.current) throw new BeaconError('invalid_state', '尚未启动响应 / no response is running');
    if (state.current.tasksSentAt) throw new BeaconError('invalid_state', '预案任务已下发 / the tasks were sent');
    const chosen = townshipIds ?? state.affectedTownshipIds;
    for (const id of chosen) {
      if (!(await store.townships.get(id))?.enabled) throw BeaconError.badRequest(`unknown township "${id}"`);
    }
    const plan = await store.plans.get(state.current.planId);
    const batches = (plan?.tasks ?? [])
      .map((t) => ({ ...t, townshipIds: t.toAffectedTownships ? [...chosen] : [] }))
      .filter((t) => t.townshipIds.length + t.departmentIds.length > 0);
    if (batches.length === 0) throw BeaconError.badRequest('任务没有发送对象 / the tasks have no addressees');
    // Checked before anything is sent, so a disabled department refuses the whole send.
    for (const t of batches) await enabledDepartmentIds(store, t.departmentIds);
    const responseId = state.current.id;
    // One task per distinct addressee of each batch (what TaskDesk.create makes): the entry commits with the mark.
    const planned = batches.reduce((n, t) => n + new Set(t.townshipIds).size + new Set(t.departmentIds).size, 0);
    const marked = await this.#bus.audited(
      actor,
      (tx) => tx.plans.markTasksSent(responseId, new Date().toISOString()),
      (ok) => (ok ? { action: 'response.tasks', target: incidentId, detail: { responseId, tasks: planned } } : null),
    );
    if (!marked) throw new BeaconError('invalid_state', '预案任务已下发 / the tasks were sent');
    const sent: TaskView[] = [];
    for (const t of batches) {
      const deadline = new Date(Date.now() + t.minutes * 60_000).toISOString();
      sent.push(
        ...(await this.#tasks.create(actor, {
          townshipIds: t.townshipIds,
          departmentIds: t.departmentIds,
          text: t.text,
          deadline,
          incidentId,
        })),
      );
    }
    this.safeEmit('response', { incidentId });
    return sent;
  }

  /** Ticks an item the actor is responsible for; a done item is answered as it is. */
  async tick(actor: Actor, itemId: string): Promise<ChecklistItemView> {
    const before = await this.#bus.store.plans.item(itemId);
    // Staff see every incident; a unit may know of an item that is not its own only if it was shown to it.
    if (!before) throw BeaconError.notFound('checklist item');
    if (!mayTick(actor, before)) {
      throw BeaconError.forbidden('只能勾选本单位负责的事项 / you may tick only your own unit’s items');
    }
    if (before.doneAt) return before;
    if (before.superseded) throw new BeaconError('invalid_state', '该响应已切换级别 / the response changed level');
    const at = new Date().toISOString();
    const isLate = (item: ChecklistItemView) => Date.parse(at) > Date.parse(item.dueAt);
    // The tick and its entry commit together; an item ticked meanwhile by someone else writes none.
    const after = await this.#bus.audited(
      actor,
      async (tx) =>
        (await tx.plans.tick(itemId, { userId: actor.userId, name: actor.displayName }, at)) ??
        (await tx.plans.item(itemId)),
      (item) =>
        item?.doneAt === at
          ? {
              action: 'checklist.done',
              target: itemId,
              detail: {
                before: { doneAt: null },
                after: { doneAt: at, late: isLate(item) },
                incidentId: item.incidentId,
              },
            }
          : null,
    );
    if (!after?.doneAt) throw new BeaconError('invalid_state', '该响应已切换级别 / the response changed level');
    if (after.doneAt !== at) return after;
    const late = isLate(after);
    await this.#bus.note(actor, {
      incidentId: after.incidentId,
      kind: 'note',
      text: `【应急预案】${after.unitName} 完成：${after.text}${late ? '（超时）' : ''}`,
      data: { checklistItemId: itemId },
    });
    this.safeEmit('checklist', after);
    return after;
  }

  /** A unit's items of running responses (its page); staff get the duty desk's. */
  items(actor: Actor): Promise<ChecklistItemView[]> {
    if (isStaff(actor)) return this.#bus.store.plans.runningItems({ kind: 'desk', id: null });
    const own = unitOf(actor);
    if (!own) throw BeaconError.forbidden();
    return this.#bus.store.plans.runningItems({ kind: own.kind, id: own.id });
  }

  /** The checklist watch's tick: open items now past due turn red, and everyone concerned is told. */
  async flagOverdue(now: Date): Promise<ChecklistItemView[]> {
    const items = await this.#bus.store.plans.flagOverdue(now.toISOString());
    for (const item of items) {
      logger.debug(
        { itemId: item.id, incidentId: item.incidentId, unit: `${item.unitKind}:${item.unitId}` },
        'checklist overdue',
      );
      this.safeEmit('checklist', item);
    }
    return items;
  }

  /** The incident's township and those its issued warnings reach, enabled ones, in that order. */
  async #affectedTownships(incident: IncidentView): Promise<string[]> {
    const { store } = this.#bus;
    const warned = (await store.warnings.list())
      .filter((w) => w.incidentId === incident.id && w.status === 'issued')
      .flatMap((w) => w.affectedTownshipIds);
    const ids = [...new Set([...(incident.townshipId ? [incident.townshipId] : []), ...warned])];
    const enabled = new Set((await store.townships.list()).filter((t) => t.enabled).map((t) => t.id));
    return ids.filter((id) => enabled.has(id));
  }

  /** The plan's meeting invitees become involved in the incident: they see it, and 会商 invites them. */
  async #involve(actor: Actor, incident: IncidentView, invitees: string[], enabled: ReadonlySet<string>) {
    const added = invitees.filter((id) => enabled.has(id) && !incident.departmentIds.includes(id));
    if (added.length === 0) return;
    await this.#incidents.setDepartments(actor, incident.id, [...incident.departmentIds, ...added]);
  }

  /** A response means the incident is being responded to: reported/verified/resolved move to `responding`. */
  async #toResponding(actor: Actor, incident: IncidentView): Promise<void> {
    if (incident.status === 'reported') await this.#incidents.changeStatus(actor, incident.id, { status: 'verified' });
    if (incident.status !== 'responding') {
      await this.#incidents.changeStatus(actor, incident.id, { status: 'responding' });
    }
  }
}
