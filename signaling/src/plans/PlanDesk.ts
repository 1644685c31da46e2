/**
 * Emergency plans (应急预案) per incident type and response level. Saving a
 * plan stores its next version; versions are never changed, so an incident
 * whose response started with version 2 keeps reading version 2 after the
 * plan moved on. The city side reads plans; admins and duty officers write
 * them (chairs lead responses, they do not edit the book). Every save is
 * audited with the version before and after.
 *
 * A plan that names an unknown or disabled department or township is
 * `plan_invalid` (naming it) and nothing is stored: a step nobody can tick
 * would only be found in an emergency.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError, type IncidentType, type PlanInput, type PlanView, type ResponseLevel } from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import { accountMay } from '../rooms/permissions.ts';
import { departmentsNamed, townshipsNamed } from './planInstantiation.ts';

const logger = createLogger('PlanDesk');

function invalid(message: string): BeaconError {
  return new BeaconError('plan_invalid', message);
}

export class PlanDesk {
  readonly #bus: CommandBus;

  constructor(bus: CommandBus) {
    this.#bus = bus;
  }

  /** The newest version of every plan. */
  list(actor: Actor): Promise<PlanView[]> {
    requireStaff(actor);
    return this.#bus.store.plans.listCurrent();
  }

  /** Every version of one plan, newest first (empty: no plan yet). */
  versions(actor: Actor, type: IncidentType, level: ResponseLevel): Promise<PlanView[]> {
    requireStaff(actor);
    return this.#bus.store.plans.versions(type, level);
  }

  /** One version by id: what an incident's response used. */
  async version(actor: Actor, id: string): Promise<PlanView> {
    requireStaff(actor);
    const plan = await this.#bus.store.plans.get(id);
    if (!plan) throw BeaconError.notFound('plan');
    return plan;
  }

  async save(actor: Actor, type: IncidentType, level: ResponseLevel, input: PlanInput): Promise<PlanView> {
    if (!accountMay(actor.role, 'plans:edit')) {
      throw BeaconError.forbidden('只有管理员和值班员可以编辑预案 / only admins and duty officers edit plans');
    }
    await this.#checkUnits(input);
    const { store } = this.#bus;
    const before = await store.plans.current(type, level);
    const saved = await this.#bus.audited(
      actor,
      (tx) =>
        tx.plans.saveVersion({
          id: randomUUID(),
          type,
          level,
          content: input,
          createdAt: new Date().toISOString(),
          createdBy: actor.userId,
          createdByName: actor.displayName,
        }),
      (after) => ({ action: 'plan.save', target: after.id, detail: { before: before ?? null, after } }),
    );
    logger.info({ planId: saved.id, type, level, version: saved.version }, 'plan version saved');
    return saved;
  }

  async #checkUnits(input: PlanInput): Promise<void> {
    const { store } = this.#bus;
    for (const id of departmentsNamed(input)) {
      const department = await store.departments.get(id);
      if (!department) throw invalid(`未知部门「${id}」/ unknown department "${id}"`);
      if (!department.enabled) {
        throw invalid(`部门「${department.name}」已停用 / department "${id}" is disabled`);
      }
    }
    for (const id of townshipsNamed(input)) {
      const township = await store.townships.get(id);
      if (!township?.enabled) throw invalid(`未知或已停用的乡镇「${id}」/ unknown or disabled township "${id}"`);
    }
  }
}
