/**
 * Emergency resources in the command room (辅助决策): what the map shows, the
 * teams, depots and shelters nearest to an incident, and dispatching a team.
 * A dispatch is an ordinary task (TaskDesk) to the team's own unit — its
 * terminal shows it, acknowledges it and reports it done like any other — with
 * the team deployed on it. When that task is done the team is back
 * (`returned`); the officer can also mark it returned, or ready again.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import {
  BeaconError,
  type DispatchTeamInput,
  type NearestResourcesView,
  type ResourcesView,
  type TaskView,
  type TeamDispatchResult,
  type TeamStatus,
  type TeamView,
} from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import type { TaskDesk } from '../command/TaskDesk.ts';
import { createLogger } from '../logger.ts';
import { nearest } from './nearest.ts';
import { assertTeamMove } from './teamStatus.ts';

const logger = createLogger('ResourceDesk');

/** How long a dispatched team has by default to report the task done (2 h). */
export const DEFAULT_DISPATCH_HOURS = 2;

export type ResourceDeskEvents = {
  /** A team's status changed (dispatched, back, ready again). */
  team: [TeamView];
};

export class ResourceDesk extends TypedEmitter<ResourceDeskEvents> {
  readonly #bus: CommandBus;
  readonly #tasks: TaskDesk;
  readonly #onTask = (task: TaskView) => {
    if (task.status === 'done') this.#taskDone(task).catch((err) => logger.error({ err }, 'team return failed'));
  };

  constructor(opts: { bus: CommandBus; tasks: TaskDesk }) {
    super();
    this.#bus = opts.bus;
    this.#tasks = opts.tasks;
    this.#bus.on('task', this.#onTask);
  }

  close(): void {
    this.#bus.off('task', this.#onTask);
  }

  /** The enabled resources, for the map's layers and the expert list. */
  async list(actor: Actor): Promise<ResourcesView> {
    requireStaff(actor);
    const { resources } = this.#bus.store;
    const enabled = { enabled: true };
    return {
      teams: await resources.teams.list(enabled),
      depots: await resources.depots.list(enabled),
      shelters: await resources.shelters.list(enabled),
      experts: await resources.experts.list(enabled),
    };
  }

  /** Teams (any status: a deployed one shows as such), depots and shelters nearest to the incident first. */
  async nearest(actor: Actor, incidentId: string, limit: number): Promise<NearestResourcesView> {
    requireStaff(actor);
    const incident = await this.#bus.store.incidents.get(incidentId);
    if (!incident) throw BeaconError.notFound('incident');
    const all = await this.list(actor);
    return {
      incidentId,
      teams: nearest(incident.location, all.teams, limit),
      depots: nearest(incident.location, all.depots, limit),
      shelters: nearest(incident.location, all.shelters, limit),
    };
  }

  async dispatch(actor: Actor, teamId: string, input: DispatchTeamInput): Promise<TeamDispatchResult> {
    requireStaff(actor);
    const { store } = this.#bus;
    const team = await store.resources.teams.get(teamId);
    if (!team) throw BeaconError.notFound('team');
    if (!team.enabled) throw BeaconError.badRequest(`队伍「${team.name}」已停用 / the team is disabled`);
    assertTeamMove(team.status, 'deployed');
    const incident = await store.incidents.get(input.incidentId);
    if (!incident) throw BeaconError.badRequest('unknown incident');
    const leader = [team.leaderName, team.leaderPhone].filter(Boolean).join(' ');
    const text =
      input.text ??
      `${team.name}（${team.headcount} 人${leader ? `，负责人 ${leader}` : ''}）赶赴「${incident.title}」现场处置`;
    const deadline = input.deadline ?? new Date(Date.now() + DEFAULT_DISPATCH_HOURS * 3600_000).toISOString();
    const [task] = await this.#tasks.create(actor, {
      townshipIds: team.townshipId ? [team.townshipId] : [],
      departmentIds: team.departmentId ? [team.departmentId] : [],
      text: `【队伍出动】${text}`,
      deadline,
      incidentId: incident.id,
    });
    if (!task) throw new Error('a dispatch created no task');
    let deployed: TeamView;
    try {
      // The deployment and its entry commit together (the task has its own, written by the task desk).
      deployed = await this.#bus.audited(
        actor,
        (tx) =>
          tx.resources.teams.deploy({
            id: randomUUID(),
            teamId,
            incidentId: incident.id,
            taskId: task.id,
            at: task.createdAt,
            by: actor.userId,
          }),
        (after) => ({
          action: 'team.dispatch',
          target: teamId,
          detail: { incidentId: incident.id, taskId: task.id, before: team.status, after: after.status },
        }),
      );
    } catch (err) {
      // Another officer sent the team in the meantime: this task is void, and says so on the unit's page.
      await store.tasks.done(
        task.id,
        '队伍已由他人派出，本任务作废 / the team was sent by someone else',
        task.createdAt,
      );
      throw err;
    }
    logger.info({ teamId, incidentId: incident.id, taskId: task.id }, 'team dispatched');
    this.safeEmit('team', deployed);
    return { team: deployed, task };
  }

  /** The officer's move: a deployed team is back, or a returned one is ready again. Dispatching is `dispatch`. */
  async setStatus(actor: Actor, teamId: string, to: TeamStatus): Promise<TeamView> {
    requireStaff(actor);
    if (to === 'deployed') throw BeaconError.badRequest('派出队伍请用“出动” / dispatch a team to an incident instead');
    const { store } = this.#bus;
    const team = await store.resources.teams.get(teamId);
    if (!team) throw BeaconError.notFound('team');
    assertTeamMove(team.status, to);
    const after = await this.#bus.audited(
      actor,
      (tx) => tx.resources.teams.setStatus(teamId, team.status, to, new Date().toISOString()),
      (changed) => ({ action: 'team.status', target: teamId, detail: { before: team.status, after: changed.status } }),
    );
    if (team.dispatch) await this.#returnedNote(actor, team, team.dispatch.incidentId);
    this.safeEmit('team', after);
    return after;
  }

  async #taskDone(task: TaskView): Promise<void> {
    const back = await this.#bus.audited(
      SYSTEM_ACTOR,
      (tx) => tx.resources.teams.returnByTask(task.id, task.doneAt ?? new Date().toISOString()),
      (teams) =>
        teams.map((team) => ({
          action: 'team.status',
          target: team.id,
          detail: { before: 'deployed', after: team.status, taskId: task.id },
        })),
    );
    for (const team of back) {
      if (task.incidentId) await this.#returnedNote(SYSTEM_ACTOR, team, task.incidentId);
      logger.info({ teamId: team.id, taskId: task.id }, 'team returned');
      this.safeEmit('team', team);
    }
  }

  async #returnedNote(actor: Actor, team: TeamView, incidentId: string): Promise<void> {
    await this.#bus.note(actor, { incidentId, kind: 'task', text: `${team.name} 已返回`, data: { teamId: team.id } });
  }
}
