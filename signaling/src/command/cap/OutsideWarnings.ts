/**
 * Warnings from outside (a CAP file, a subscribed feed) on the warning desk:
 * drafted, changed by a CAP Update, withdrawn by a CAP Cancel. No role check
 * here: the import route checks its caller, a feed acts as the system. Each
 * change is audited with the message that caused it and announced like the
 * desk's own (`warning` on the bus: the duty desk's list updates live).
 */
import { randomUUID } from 'node:crypto';
import type { CreateWarningRequest, WarningArea, WarningPreview, WarningSource, WarningView } from '@beacon/protocol';
import { createLogger } from '../../logger.ts';
import type { Actor, CommandBus } from '../CommandBus.ts';
import type { WarningDesk } from '../WarningDesk.ts';

const logger = createLogger('OutsideWarnings');

/**
 * A draft from outside (a CAP file or feed): what the alert gave, with an end
 * time or area possibly missing, and townships its geocodes named.
 */
export interface OutsideDraft
  extends Omit<CreateWarningRequest, 'area' | 'expires' | 'escalationMinutes' | 'departmentIds' | 'incidentId'> {
  identifier: string;
  sender: string;
  area: WarningArea | null;
  expires: string | null;
  effective: string;
  escalationMinutes: number | null;
  /** Townships the alert's geocodes named (division codes, or Beacon's own list). */
  geocodeTownshipIds: string[];
  source: WarningSource;
}

/** Default escalation of a warning from outside (the form's default for Beacon's own). */
const OUTSIDE_ESCALATION_MINUTES = 10;

export class OutsideWarnings {
  readonly #bus: CommandBus;
  readonly #desk: WarningDesk;

  constructor(bus: CommandBus, desk: WarningDesk) {
    this.#bus = bus;
    this.#desk = desk;
  }

  /**
   * What a warning from outside reaches: the townships its area covers and those its geocodes
   * named (enabled ones only, sorted), with the shares of those the area covers.
   */
  async reach(area: WarningArea | null, geocodeTownshipIds: readonly string[]): Promise<WarningPreview> {
    const covered = area ? await this.#desk.affected(area) : { affectedTownshipIds: [], coveredShares: {} };
    const enabled = new Set((await this.#bus.store.townships.list()).filter((t) => t.enabled).map((t) => t.id));
    const ids = new Set([...covered.affectedTownshipIds, ...geocodeTownshipIds.filter((id) => enabled.has(id))]);
    return { affectedTownshipIds: [...ids].sort(), coveredShares: covered.coveredShares };
  }

  /**
   * A draft from outside (a CAP file or feed). No role check: the import route checks its caller,
   * a feed drafts as the system. Audited with where it came from.
   */
  async draft(actor: Actor, input: OutsideDraft): Promise<WarningView> {
    const id = randomUUID();
    const area = input.area && this.#desk.normaliseArea(input.area);
    const { affectedTownshipIds, coveredShares } = await this.reach(area, input.geocodeTownshipIds);
    const draft = {
      id,
      identifier: input.identifier,
      sender: input.sender,
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
      effective: input.effective,
      expires: input.expires,
      status: 'draft',
      incidentId: null,
      affectedTownshipIds,
      departmentIds: [],
      coveredShares,
      escalationMinutes: input.escalationMinutes ?? OUTSIDE_ESCALATION_MINUTES,
      createdAt: new Date().toISOString(),
      createdBy: actor.userId,
      issuedAt: null,
      issuedBy: null,
      source: input.source,
    } satisfies WarningView;
    const warning = await this.#bus.audited(
      actor,
      (tx) => tx.warnings.create(draft),
      (after) => ({ action: 'warning.import', target: id, detail: { after } }),
    );
    this.#bus.emit('warning', warning);
    logger.info({ warningId: id, sender: input.sender, identifier: input.identifier }, 'warning drafted from CAP');
    return warning;
  }

  /** A CAP Update applied to the draft it references: the content is the update's. */
  async applyUpdate(actor: Actor, id: string, input: OutsideDraft): Promise<WarningView> {
    const before = await this.#desk.get(id);
    const area = input.area && this.#desk.normaliseArea(input.area);
    const { affectedTownshipIds, coveredShares } = await this.reach(area, input.geocodeTownshipIds);
    const warning = await this.#bus.audited(
      actor,
      async (tx) => {
        await tx.warnings.updateDraft(id, {
          event: input.event,
          colour: input.colour,
          urgency: input.urgency,
          severity: input.severity,
          certainty: input.certainty,
          headline: input.headline,
          description: input.description,
          instruction: input.instruction,
          // What the officer supplied stays when the update still lacks it.
          area: area ?? before.area,
          areaDesc: input.areaDesc,
          effective: input.effective,
          expires: input.expires ?? before.expires,
          incidentId: before.incidentId,
          affectedTownshipIds:
            area || affectedTownshipIds.length > 0 ? affectedTownshipIds : before.affectedTownshipIds,
          departmentIds: before.departmentIds,
          coveredShares: area ? coveredShares : (before.coveredShares ?? {}),
          escalationMinutes: input.escalationMinutes ?? before.escalationMinutes,
        });
        await tx.warnings.setSource(id, input.source);
        return (await tx.warnings.get(id)) as WarningView;
      },
      (after) => ({ action: 'warning.update', target: id, detail: { before, after } }),
    );
    this.#bus.emit('warning', warning);
    logger.info({ warningId: id, identifier: input.identifier }, 'warning updated from CAP');
    return warning;
  }

  /** A CAP Cancel: the warning it references is withdrawn (cancelled), whoever issued it. */
  async withdraw(actor: Actor, id: string, source: WarningSource): Promise<WarningView> {
    const before = await this.#desk.get(id);
    const warning = await this.#bus.audited(
      actor,
      async (tx) => {
        if (before.status !== 'cancelled') await tx.warnings.cancel(id);
        await tx.warnings.setSource(id, source);
        return (await tx.warnings.get(id)) as WarningView;
      },
      (after) => ({
        action: 'warning.withdraw',
        target: id,
        detail: { before: before.status, after: after.status, cancelledBy: source.cancelledBy },
      }),
    );
    this.#bus.emit('warning', warning);
    if (warning.incidentId && before.status === 'issued') {
      await this.#bus.note(actor, {
        incidentId: warning.incidentId,
        kind: 'warning',
        text: `${warning.headline}：发布方已撤销 / withdrawn by its sender`,
        data: { warningId: id },
      });
    }
    logger.info({ warningId: id, cancelledBy: source.cancelledBy }, 'warning withdrawn by CAP cancel');
    return warning;
  }
}
