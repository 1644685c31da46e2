/**
 * Early warnings (预警): draft (own or imported CAP), issue to the townships
 * whose point lies in the area, cancel. Terminals confirm receipt and
 * acknowledge (签收); each ack is committed before it is answered, so an
 * "ok" the terminal saw survives a crash right after.
 */
import { randomUUID } from 'node:crypto';
import type {
  AckBoardRow,
  AckChannel,
  AlertForTerminal,
  CreateWarningRequest,
  WarningArea,
  WarningView,
} from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { Actor, CommandBus } from './CommandBus.ts';
import { affectedTownships, closedRing } from './geo/affectedTownships.ts';
import { requireStaff, requireTownship } from './staff.ts';

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
    expires: warning.expires,
    issuedAt: warning.issuedAt ?? row.lastNotifiedAt,
    notifyCount: row.notifyCount,
  };
}

/** A draft's content; `identifier`/`sender` come from an imported CAP alert. */
export type WarningDraft = CreateWarningRequest & { identifier?: string; sender?: string };

export class WarningDesk {
  readonly #bus: CommandBus;

  constructor(bus: CommandBus) {
    this.#bus = bus;
  }

  get(id: string): WarningView {
    const warning = this.#bus.store.warnings.get(id);
    if (!warning) throw BeaconError.notFound('warning');
    return warning;
  }

  /** Polygons are stored closed, as CAP wants. */
  normaliseArea(area: WarningArea): WarningArea {
    return area.type === 'polygon' ? { type: 'polygon', points: closedRing(area.points) } : area;
  }

  affected(area: WarningArea): string[] {
    return affectedTownships(this.normaliseArea(area), this.#bus.store.townships.list());
  }

  create(actor: Actor, input: WarningDraft, action = 'warning.create'): WarningView {
    requireStaff(actor);
    const { store } = this.#bus;
    if (input.incidentId !== null && !store.incidents.get(input.incidentId))
      throw BeaconError.badRequest('unknown incident');
    const area = this.normaliseArea(input.area);
    const id = randomUUID();
    const at = new Date().toISOString();
    const effective = input.effective ?? at;
    if (Date.parse(input.expires) <= Date.parse(effective))
      throw BeaconError.badRequest('expires must be after effective');
    const warning = store.warnings.create({
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
      affectedTownshipIds: affectedTownships(area, store.townships.list()),
      escalationMinutes: input.escalationMinutes,
      createdAt: at,
      createdBy: actor.userId,
      issuedAt: null,
      issuedBy: null,
    });
    this.#bus.audit(actor, action, id, { after: warning });
    this.#bus.emit('warning', warning);
    return warning;
  }

  issue(actor: Actor, id: string): { warning: WarningView; board: AckBoardRow[] } {
    requireStaff(actor);
    const before = this.get(id);
    if (Date.parse(before.expires) <= Date.now())
      throw new BeaconError('invalid_transition', 'the warning has expired');
    const board = this.#bus.store.warnings.issue(id, actor.userId, new Date().toISOString());
    const warning = this.get(id);
    this.#bus.audit(actor, 'warning.issue', id, {
      before: before.status,
      after: warning.status,
      townshipIds: warning.affectedTownshipIds,
    });
    this.#bus.emit('warning', warning);
    for (const row of board) {
      this.#bus.emit('alert', { townshipIds: [row.townshipId], alert: alertFor(warning, row) });
      this.#bus.emit('ack', row);
    }
    if (warning.incidentId) {
      this.#bus.note(actor, {
        incidentId: warning.incidentId,
        kind: 'warning',
        text: `${warning.headline}（${board.length} 个乡镇）`,
        data: { warningId: id },
      });
    }
    logger.info({ warningId: id, townships: board.length }, 'warning issued');
    return { warning, board };
  }

  cancel(actor: Actor, id: string): WarningView {
    requireStaff(actor);
    const before = this.get(id);
    if (before.status === 'cancelled') throw new BeaconError('invalid_transition', 'the warning is cancelled already');
    this.#bus.store.warnings.cancel(id);
    const warning = this.get(id);
    this.#bus.audit(actor, 'warning.cancel', id, { before: before.status, after: warning.status });
    this.#bus.emit('warning', warning);
    logger.info({ warningId: id }, 'warning cancelled');
    return warning;
  }

  /** The ack board; a township sees only its own line. */
  board(actor: Actor, id: string): AckBoardRow[] {
    this.get(id);
    const rows = this.#bus.store.warnings.board(id);
    return actor.role === 'township' ? rows.filter((r) => r.townshipId === actor.townshipId) : rows;
  }

  #delivery(townshipId: string, warningId: string): AckBoardRow {
    const row = this.#bus.store.warnings.delivery(warningId, townshipId);
    // Same answer for "no such warning" and "not issued to you": no probing of other townships' alerts.
    if (!row) throw BeaconError.notFound('alert');
    return row;
  }

  received(actor: Actor, warningId: string): void {
    const townshipId = requireTownship(actor);
    this.#delivery(townshipId, warningId);
    const result = this.#bus.store.warnings.markDelivered(warningId, townshipId, new Date().toISOString());
    if (result?.changed) this.#bus.emit('ack', result.row);
  }

  /** Idempotent: a second ack returns the stored row unchanged. Committed before it returns. */
  ack(actor: Actor, warningId: string, channel: AckChannel = 'terminal'): AckBoardRow {
    const townshipId = requireTownship(actor);
    this.#delivery(townshipId, warningId);
    const result = this.#bus.store.warnings.ack(warningId, townshipId, {
      by: actor.userId,
      byName: actor.displayName,
      channel,
      at: new Date().toISOString(),
    });
    if (!result) throw BeaconError.notFound('alert');
    if (result.changed) {
      this.#bus.audit(actor, 'warning.ack', warningId, { townshipId, channel });
      this.#bus.emit('ack', result.row);
    }
    return result.row;
  }

  /** Banners a township terminal must (still) show: issued, unexpired, not acked. */
  pendingAlerts(townshipId: string): AlertForTerminal[] {
    return this.#bus.store.warnings
      .pendingFor(townshipId, new Date().toISOString())
      .map(({ warning, row }) => alertFor(warning, row));
  }
}
