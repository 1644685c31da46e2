/**
 * Every CAP message from outside enters here, from a file a duty officer
 * uploads or from a subscribed feed, and is handled by what it means:
 *
 *   held already (same sender + identifier)  → recognised, nothing changes
 *   status Test or System                    → recorded: not for the public
 *   msgType Ack or Error                     → recorded: about messages, no warning
 *   msgType Cancel                           → withdraws the warnings it references
 *   msgType Update                           → rewrites the draft it references (an issued one:
 *                                              a new draft beside it); referencing nothing held:
 *                                              taken as a new alert
 *   msgType Alert (Actual, Exercise, Draft)  → a new draft; an Exercise shows as one
 *
 * A feed drafts only alerts that reach the deployment (`onlyIfConcerns`) and
 * still run; a file is what the officer chose to import. The message is kept
 * whole (XML and structure) with what was done, so an export gives it back.
 */
import { randomUUID } from 'node:crypto';
import type { CapOutcome, WarningSource, WarningView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../../logger.ts';
import type { Store } from '../../store/index.ts';
import type { Actor } from '../CommandBus.ts';
import { capDraft, capSource, geocodeReach } from './capDraft.ts';
import { capDateTimeToIso } from './capFormat.ts';
import { capReferences, parseCap } from './capParse.ts';
import type { CapAlert } from './capSchema.ts';
import type { OutsideDraft, OutsideWarnings } from './OutsideWarnings.ts';

const logger = createLogger('CapIntake');

export interface CapOrigin {
  kind: 'file' | 'feed';
  feedId: string | null;
  feedName: string | null;
}

export interface CapIntakeResult {
  outcome: CapOutcome;
  /** The warning drafted, updated, withdrawn or held; null when the message was only recorded. */
  warning: WarningView | null;
  alert: CapAlert;
  /** Why nothing was drafted: 'test', 'system', 'ack', 'error', 'nothing_referenced', 'elsewhere', 'expired'. */
  reason: string | null;
}

export class CapIntake {
  readonly #store: Store;
  readonly #outside: OutsideWarnings;

  constructor(store: Store, outside: OutsideWarnings) {
    this.#store = store;
    this.#outside = outside;
  }

  /**
   * Reads and handles one CAP message. Throws `cap_invalid` for a message that is not CAP 1.2
   * (nothing stored). `onlyIfConcerns`: skip, unstored, alerts that do not reach the deployment
   * or have ended (a feed carries a whole country's warnings).
   */
  async receive(actor: Actor, xml: string, origin: CapOrigin, onlyIfConcerns = false): Promise<CapIntakeResult> {
    const alert = parseCap(xml);
    const result = (outcome: CapOutcome, warning: WarningView | null, reason: string | null = null) => ({
      outcome,
      warning,
      alert,
      reason,
    });
    const held = await this.#held(alert);
    if (held) return result('held', held.warning);

    if (alert.status === 'Test' || alert.status === 'System' || alert.msgType === 'Ack' || alert.msgType === 'Error') {
      const reason = alert.msgType === 'Ack' || alert.msgType === 'Error' ? alert.msgType : alert.status;
      if (alert.msgType === 'Error')
        logger.warn({ sender: alert.sender, note: alert.note }, 'CAP error message received');
      if (!(await this.#claim(alert, xml, origin))) return result('held', null);
      return result('recorded', null, reason.toLowerCase());
    }

    const referenced = await this.#referencedWarnings(alert);
    const source = capSource(alert, origin);
    const content = alert.msgType === 'Cancel' ? null : await this.#content(alert, source);
    if (onlyIfConcerns && referenced.length === 0) {
      // A feed carries a whole country's warnings: only what reaches the deployment and still runs is kept.
      if (alert.msgType === 'Cancel') return result('recorded', null, 'nothing_referenced');
      if (content && !content.concerns) return result('recorded', null, 'elsewhere');
      if (content?.expires && Date.parse(content.expires) <= Date.now()) return result('recorded', null, 'expired');
    }
    // The message is stored first: its unique sender + identifier is what stops two nodes handling it twice.
    const claim = await this.#claim(alert, xml, origin);
    if (!claim) return result('held', (await this.#held(alert))?.warning ?? null);
    try {
      const done = await this.#act(actor, alert, referenced, source, content);
      await this.#store.capMessages.settle(claim, done.outcome, done.warning?.id ?? null);
      return result(done.outcome, done.warning, done.reason);
    } catch (err) {
      await this.#store.capMessages.remove(claim);
      throw err;
    }
  }

  async #act(
    actor: Actor,
    alert: CapAlert,
    referenced: WarningView[],
    source: WarningSource,
    content: OutsideDraft | null,
  ): Promise<{ outcome: Exclude<CapOutcome, 'held'>; warning: WarningView | null; reason: string | null }> {
    if (alert.msgType === 'Cancel') {
      let last: WarningView | null = null;
      for (const warning of referenced) {
        last = await this.#outside.withdraw(actor, warning.id, {
          ...(warning.source ?? source),
          cancelledBy: alert.identifier,
        });
      }
      return last
        ? { outcome: 'withdrawn', warning: last, reason: null }
        : { outcome: 'recorded', warning: null, reason: 'nothing_referenced' };
    }
    if (!content) return { outcome: 'recorded', warning: null, reason: 'no_info' };
    const draft = referenced.find((w) => w.status === 'draft');
    if (alert.msgType === 'Update' && draft) {
      return { outcome: 'updated', warning: await this.#outside.applyUpdate(actor, draft.id, content), reason: null };
    }
    const warning = await this.#outside.draft(actor, await this.#uniqueIdentifier(content));
    return { outcome: 'drafted', warning, reason: null };
  }

  /** The message itself, or a warning Beacon exported with this sender + identifier. */
  async #held(alert: CapAlert): Promise<{ warning: WarningView | null } | null> {
    const message = await this.#store.capMessages.find(alert.sender, alert.identifier);
    if (message) {
      return { warning: message.warningId ? ((await this.#store.warnings.get(message.warningId)) ?? null) : null };
    }
    const own = await this.#store.warnings.findByIdentifier(alert.identifier);
    return own && own.sender === alert.sender ? { warning: own } : null;
  }

  /** The warnings the message's `references` name, through the messages held (or Beacon's own identifiers). */
  async #referencedWarnings(alert: CapAlert): Promise<WarningView[]> {
    const out = new Map<string, WarningView>();
    for (const ref of capReferences(alert)) {
      const held = await this.#held({ ...alert, sender: ref.sender, identifier: ref.identifier });
      if (held?.warning) out.set(held.warning.id, held.warning);
    }
    return [...out.values()];
  }

  async #content(alert: CapAlert, source: WarningSource): Promise<(OutsideDraft & { concerns: boolean }) | null> {
    const read = capDraft(alert);
    if (!read) return null;
    const [area, townships] = await Promise.all([this.#store.area.get(), this.#store.townships.list()]);
    const byCode = geocodeReach(read.geocodes, area?.code ?? null, townships);
    const known = new Set(townships.map((t) => t.id));
    const geocodeTownshipIds = [...new Set([...byCode.townshipIds, ...read.townshipIds.filter((id) => known.has(id))])];
    const reached = await this.#outside.reach(read.area, geocodeTownshipIds);
    return {
      identifier: alert.identifier,
      sender: alert.sender,
      event: read.event,
      colour: read.colour,
      urgency: read.urgency,
      severity: read.severity,
      certainty: read.certainty,
      headline: read.headline,
      description: read.description,
      instruction: read.instruction,
      area: read.area,
      areaDesc: read.areaDesc,
      effective: read.effective,
      expires: read.expires,
      escalationMinutes: read.escalationMinutes,
      geocodeTownshipIds,
      source,
      concerns: reached.affectedTownshipIds.length > 0 || byCode.insideArea,
    };
  }

  /**
   * warnings.identifier is unique: an Update that becomes a new draft beside an issued warning, or an
   * alert whose identifier a Beacon warning already uses under another sender, gets a suffix.
   */
  async #uniqueIdentifier<T extends { identifier: string }>(draft: T): Promise<T> {
    const taken = async (identifier: string) => (await this.#store.warnings.findByIdentifier(identifier)) !== undefined;
    if (!(await taken(draft.identifier))) return draft;
    let n = 2;
    while (await taken(`${draft.identifier}#${n}`)) n += 1;
    return { ...draft, identifier: `${draft.identifier}#${n}` };
  }

  /** Stores the message as recorded; its id, or null when the same sender + identifier is held already. */
  async #claim(alert: CapAlert, xml: string, origin: CapOrigin): Promise<string | null> {
    const id = randomUUID();
    try {
      await this.#store.capMessages.add({
        id,
        sender: alert.sender,
        identifier: alert.identifier,
        sent: capDateTimeToIso(alert.sent),
        status: alert.status,
        msgType: alert.msgType,
        xml,
        alert,
        feedId: origin.feedId,
        warningId: null,
        outcome: 'recorded',
        receivedAt: new Date().toISOString(),
      });
      return id;
    } catch (err) {
      if (err instanceof BeaconError && err.code === 'conflict') return null;
      throw err;
    }
  }
}
