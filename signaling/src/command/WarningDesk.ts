/**
 * Early warnings (预警): draft (own or imported CAP), issue to the townships
 * the area reaches (their boundary overlaps it, or without a boundary their
 * point lies in it; see geo/coverage.ts) and to the departments the duty
 * officer chose by hand, cancel. Terminals confirm receipt and
 * acknowledge (签收); each ack is committed before it is answered, so an
 * "ok" the terminal saw survives a crash right after.
 */
import { randomUUID } from 'node:crypto';
import type {
  AckBoardRow,
  AckChannel,
  Addressee,
  AlertForTerminal,
  CreateWarningRequest,
  UpdateWarningRequest,
  WarningArea,
  WarningPreview,
  WarningView,
} from '@beacon/protocol';
import { BeaconError, warningMissing } from '@beacon/protocol';
import type { AuditLine } from '../audit/auditedChange.ts';
import { createLogger } from '../logger.ts';
import type { AlertMetrics } from '../metrics.ts';
import { addresseeOf, enabledDepartmentIds, sameAddressee } from './addressees.ts';
import { type Actor, type CommandBus, SYSTEM_ACTOR } from './CommandBus.ts';
import { closedRing } from './geo/affectedTownships.ts';
import { warningCoverage } from './geo/coverage.ts';
import { isStaff, requireStaff, requireUnit, unitOf } from './staff.ts';

const logger = createLogger('WarningDesk');
/** CAP <sender> of warnings drafted here. */
export const CAP_SENDER = 'beacon@chuxiong.gov.cn';

export function alertFor(warning: WarningView, row: AckBoardRow): AlertForTerminal {
  return {
    warningId: warning.id,
    event: warning.event,
    colour: warning.colour,
    headline: warning.headline,
    description: warning.description,
    instruction: warning.instruction,
    // Only issued warnings reach terminals, and issuing needs an end time.
    expires: warning.expires ?? warning.effective,
    issuedAt: warning.issuedAt ?? row.lastNotifiedAt,
    notifyCount: row.notifyCount,
  };
}

/** Who an ack board line's alert goes to, as the bus's `alert` event names them. */
export function alertAddressees(row: AckBoardRow): { townshipIds: string[]; departmentIds: string[] } {
  return row.townshipId !== null
    ? { townshipIds: [row.townshipId], departmentIds: [] }
    : { townshipIds: [], departmentIds: [row.departmentId as string] };
}

/** `{ townshipId }` or `{ departmentId }` of a line: what audit entries and timeline data name. */
export function lineOwner(row: AckBoardRow): { townshipId: string } | { departmentId: string } {
  return row.townshipId !== null ? { townshipId: row.townshipId } : { departmentId: row.departmentId as string };
}

/** A draft's content; `identifier`/`sender` come from an imported CAP alert. */
export type WarningDraft = CreateWarningRequest & { identifier?: string; sender?: string };

export class WarningDesk {
  readonly #bus: CommandBus;
  readonly #metrics: AlertMetrics | null;

  /** `metrics`: told of each township's first delivery and first ack (default: none). */
  constructor(bus: CommandBus, metrics: AlertMetrics | null = null) {
    this.#bus = bus;
    this.#metrics = metrics;
  }

  async get(id: string): Promise<WarningView> {
    const warning = await this.#bus.store.warnings.get(id);
    if (!warning) throw BeaconError.notFound('warning');
    return warning;
  }

  /** Polygons are stored closed, as CAP wants. */
  normaliseArea(area: WarningArea): WarningArea {
    return area.type === 'polygon' ? { type: 'polygon', points: closedRing(area.points) } : area;
  }

  /** The enabled townships the area reaches, with the share covered of those that have a boundary. */
  async affected(area: WarningArea): Promise<WarningPreview> {
    const { store } = this.#bus;
    const [townships, boundaries] = await Promise.all([store.townships.list(), store.boundaries.list()]);
    return warningCoverage(this.normaliseArea(area), townships, boundaries);
  }

  /** The duty officer completes or corrects a draft (what a CAP alert lacked, Beacon's own choices). */
  async update(actor: Actor, id: string, patch: UpdateWarningRequest): Promise<WarningView> {
    requireStaff(actor);
    const { store } = this.#bus;
    const before = await this.get(id);
    if (before.status !== 'draft')
      throw new BeaconError('invalid_transition', `warning is ${before.status}, not a draft`);
    if (patch.incidentId && !(await store.incidents.get(patch.incidentId)))
      throw BeaconError.badRequest('unknown incident');
    const expires = patch.expires ?? before.expires;
    if (expires !== null && Date.parse(expires) <= Date.parse(before.effective))
      throw BeaconError.badRequest('expires must be after effective');
    const area = patch.area ? this.normaliseArea(patch.area) : before.area;
    const reached = patch.area
      ? await this.affected(area as WarningArea)
      : { affectedTownshipIds: before.affectedTownshipIds, coveredShares: before.coveredShares ?? {} };
    const departmentIds = patch.departmentIds
      ? await enabledDepartmentIds(store, patch.departmentIds)
      : before.departmentIds;
    const warning = await this.#bus.audited(
      actor,
      async (tx) => {
        await tx.warnings.updateDraft(id, {
          ...before,
          area,
          expires,
          areaDesc: patch.areaDesc ?? before.areaDesc,
          colour: patch.colour ?? before.colour,
          escalationMinutes: patch.escalationMinutes ?? before.escalationMinutes,
          departmentIds,
          incidentId: patch.incidentId === undefined ? before.incidentId : patch.incidentId,
          affectedTownshipIds: reached.affectedTownshipIds,
          coveredShares: reached.coveredShares,
        });
        return (await tx.warnings.get(id)) as WarningView;
      },
      (after) => ({ action: 'warning.update', target: id, detail: { before, after } }),
    );
    this.#bus.emit('warning', warning);
    return warning;
  }

  /** `also`: more audit entries that belong to this draft (what caused it), written in its transaction. */
  async create(
    actor: Actor,
    input: WarningDraft,
    action = 'warning.create',
    also?: (warning: WarningView) => AuditLine,
  ): Promise<WarningView> {
    // The server itself drafts too (a monitoring station's threshold); only staff ever issue.
    if (actor !== SYSTEM_ACTOR) requireStaff(actor);
    const { store } = this.#bus;
    if (input.incidentId !== null && !(await store.incidents.get(input.incidentId)))
      throw BeaconError.badRequest('unknown incident');
    const area = this.normaliseArea(input.area);
    const id = randomUUID();
    const at = new Date().toISOString();
    const effective = input.effective ?? at;
    if (Date.parse(input.expires) <= Date.parse(effective))
      throw BeaconError.badRequest('expires must be after effective');
    const { affectedTownshipIds, coveredShares } = await this.affected(area);
    const departmentIds = await enabledDepartmentIds(store, input.departmentIds ?? []);
    const draft = {
      id,
      identifier: input.identifier ?? `beacon-${id}`,
      sender: input.sender ?? CAP_SENDER,
      event: input.event,
      colour: input.colour,
      urgency: input.urgency,
      severity: input.severity,
      certainty: input.certainty,
      headline: input.headline,
      description: input.description,
      instruction: input.instruction,
      area,
      areaDesc: input.areaDesc,
      effective,
      expires: input.expires,
      status: 'draft',
      incidentId: input.incidentId,
      affectedTownshipIds,
      departmentIds,
      coveredShares,
      escalationMinutes: input.escalationMinutes,
      createdAt: at,
      createdBy: actor.userId,
      issuedAt: null,
      issuedBy: null,
    } satisfies WarningView;
    const warning = await this.#bus.audited(
      actor,
      (tx) => tx.warnings.create(draft),
      (after) => [{ action, target: id, detail: { after } }, ...(also ? [also(after)] : [])],
    );
    this.#bus.emit('warning', warning);
    return warning;
  }

  async issue(actor: Actor, id: string): Promise<{ warning: WarningView; board: AckBoardRow[] }> {
    requireStaff(actor);
    const before = await this.get(id);
    const missing = before.status === 'draft' ? warningMissing(before) : [];
    if (missing.length > 0) {
      throw new BeaconError('warning_incomplete', `the draft still needs: ${missing.join(', ')}`);
    }
    if (before.expires !== null && Date.parse(before.expires) <= Date.now())
      throw new BeaconError('invalid_transition', 'the warning has expired');
    const { board, warning } = await this.#bus.audited(
      actor,
      async (tx) => ({
        board: await tx.warnings.issue(id, actor.userId, new Date().toISOString()),
        warning: (await tx.warnings.get(id)) as WarningView,
      }),
      ({ warning }) => ({
        action: 'warning.issue',
        target: id,
        detail: {
          before: before.status,
          after: warning.status,
          townshipIds: warning.affectedTownshipIds,
          departmentIds: warning.departmentIds,
        },
      }),
    );
    this.#bus.emit('warning', warning);
    for (const row of board) {
      this.#bus.emit('alert', { ...alertAddressees(row), alert: alertFor(warning, row) });
      this.#bus.emit('ack', row);
    }
    if (warning.incidentId) {
      await this.#bus.note(actor, {
        incidentId: warning.incidentId,
        kind: 'warning',
        text: `${warning.headline}（${board.length} 个乡镇/部门）`,
        data: { warningId: id },
      });
    }
    logger.info({ warningId: id, townships: board.length }, 'warning issued');
    return { warning, board };
  }

  async cancel(actor: Actor, id: string): Promise<WarningView> {
    requireStaff(actor);
    const before = await this.get(id);
    if (before.status === 'cancelled') throw new BeaconError('invalid_transition', 'the warning is cancelled already');
    const warning = await this.#bus.audited(
      actor,
      async (tx) => {
        await tx.warnings.cancel(id);
        return (await tx.warnings.get(id)) as WarningView;
      },
      (after) => ({ action: 'warning.cancel', target: id, detail: { before: before.status, after: after.status } }),
    );
    this.#bus.emit('warning', warning);
    logger.info({ warningId: id }, 'warning cancelled');
    return warning;
  }

  /** The ack board; a township or department sees only its own line. */
  async board(actor: Actor, id: string): Promise<AckBoardRow[]> {
    await this.get(id);
    const rows = await this.#bus.store.warnings.board(id);
    // Staff see the board; a township or department its own line; anyone else nothing.
    if (isStaff(actor)) return rows;
    const own = unitOf(actor);
    return own ? rows.filter((r) => sameAddressee(addresseeOf(r), own)) : [];
  }

  async #delivery(to: Addressee, warningId: string): Promise<AckBoardRow> {
    const row = await this.#bus.store.warnings.delivery(warningId, to);
    // Same answer for "no such warning" and "not issued to you": no probing of other townships' alerts.
    if (!row) throw BeaconError.notFound('alert');
    return row;
  }

  async received(actor: Actor, warningId: string): Promise<void> {
    const to = requireUnit(actor);
    await this.#delivery(to, warningId);
    const at = new Date().toISOString();
    const result = await this.#bus.store.warnings.markDelivered(warningId, to, at);
    if (result?.changed) {
      this.#bus.emit('ack', result.row);
      const seconds = await this.#secondsSinceIssue(warningId, at);
      if (seconds !== null) this.#metrics?.alertDelivered(seconds);
    }
  }

  /** Idempotent: a second ack returns the stored row unchanged. Committed before the promise resolves. */
  async ack(actor: Actor, warningId: string, channel: AckChannel = 'terminal'): Promise<AckBoardRow> {
    const to = requireUnit(actor);
    await this.#delivery(to, warningId);
    const at = new Date().toISOString();
    // The ack and its audit entry commit together: a crash cannot keep one without the other.
    const result = await this.#bus.audited(
      actor,
      (tx) => tx.warnings.ack(warningId, to, { by: actor.userId, byName: actor.displayName, channel, at }),
      (r) =>
        r?.changed ? { action: 'warning.ack', target: warningId, detail: { ...lineOwner(r.row), channel } } : null,
    );
    if (!result) throw BeaconError.notFound('alert');
    if (result.changed) {
      this.#bus.emit('ack', result.row);
      const seconds = await this.#secondsSinceIssue(warningId, at);
      if (seconds !== null) this.#metrics?.alertAcked(channel, seconds);
    }
    return result.row;
  }

  /**
   * Only read when there is someone to tell: one store read per township's first delivery
   * or ack. Never throws: the ack is committed already and must be answered as such.
   */
  async #secondsSinceIssue(warningId: string, at: string): Promise<number | null> {
    if (!this.#metrics) return null;
    try {
      const issuedAt = (await this.#bus.store.warnings.get(warningId))?.issuedAt;
      return issuedAt ? (Date.parse(at) - Date.parse(issuedAt)) / 1000 : null;
    } catch (err) {
      logger.debug({ err, warningId }, 'alert latency not measured');
      return null;
    }
  }

  /** Banners a township's or department's terminal must (still) show: issued, unexpired, not acked. */
  async pendingAlerts(to: Addressee): Promise<AlertForTerminal[]> {
    return (await this.#bus.store.warnings.pendingFor(to, new Date().toISOString())).map(({ warning, row }) =>
      alertFor(warning, row),
    );
  }
}
