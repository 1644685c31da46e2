/**
 * Information reporting (信息报送): townships and departments report events
 * to the duty desk as chains (首报 → 续报 → 终报); the desk verifies (核实),
 * asks for more, and turns a chain into an incident or links it to one —
 * from then on every report of the chain also lands on the incident's
 * timeline. Each change is audited with the chain before and after and
 * reported as a `report` event (ReportEmitter turns it into socket emits).
 *
 * Who may do what: a township reports for itself, a department for itself
 * (anything else `forbidden`); the command room's staff read every chain, type
 * in reports that came by phone or fax, and handle them. A unit that is not
 * the chain's own reads it as `not_found`.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import {
  BeaconError,
  type NewReport,
  REPORT_TRANSITIONS,
  type ReportChainView,
  type ReportEntryInput,
  type ReportPhotoView,
  type ReportState,
  type ResponseLevel,
} from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import type { IncidentDesk } from '../command/IncidentDesk.ts';
import { isStaff, requireStaff } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import type { StoreRepositories } from '../store/index.ts';
import type { ReportOptions } from './ReportOptions.ts';
import type { ReportPhotoFiles } from './ReportPhotoFiles.ts';
import { deadlineFor, firstReportDue, nextDueAfter } from './reportDeadlines.ts';
import { KIND_ZH, newEntry, summary } from './reportEntries.ts';
import { mergeChains, unmergeChain } from './reportMerges.ts';
import { checkPhoto, checkPhotoSize } from './reportPhotos.ts';
import {
  defaultLocation,
  involvedDepartments,
  isInvolvedDepartment,
  isOwnUnit,
  requireOwnUnit,
  unitForReport,
  unitOfActor,
} from './reportUnits.ts';

const logger = createLogger('ReportDesk');
/** A report of an event more than this far in the future is a typo (clocks of terminals drift a little). */
const FUTURE_SLACK_MS = 10 * 60_000;

/** Someone who reports: an account with its township or department. */
export type ReportActor = Actor & { departmentId?: string | null | undefined };

export type ReportDeskEvents = {
  /** A chain was created or changed. */
  report: [ReportChainView];
  /** A chain's next report is past due (it was just flagged red). */
  overdue: [ReportChainView];
};

export class ReportDesk extends TypedEmitter<ReportDeskEvents> {
  readonly #bus: CommandBus;
  readonly #incidents: IncidentDesk;
  readonly #files: ReportPhotoFiles;
  readonly #options: ReportOptions;

  constructor(opts: { bus: CommandBus; incidents: IncidentDesk; files: ReportPhotoFiles; options: ReportOptions }) {
    super();
    this.#bus = opts.bus;
    this.#incidents = opts.incidents;
    this.#files = opts.files;
    this.#options = opts.options;
  }

  get options(): ReportOptions {
    return this.#options;
  }

  /** Refuses an upload by its declared length before reading it. */
  checkUploadSize(bytes: number): void {
    checkPhotoSize(bytes, this.#options.maxPhotoBytes);
  }

  /** A photo for a report to come: checked, stripped, stored; the report refers to it by id. */
  async uploadPhoto(actor: ReportActor, bytes: Buffer): Promise<ReportPhotoView> {
    if (!isStaff(actor)) unitOfActor(actor);
    const checked = await checkPhoto(bytes, this.#options.maxPhotoBytes);
    const photo: ReportPhotoView = {
      id: randomUUID(),
      bytes: checked.served.length,
      width: checked.width,
      height: checked.height,
      exifLocation: checked.exifLocation,
      exifTakenAt: checked.exifTakenAt,
    };
    await this.#files.write(photo.id, checked.served, checked.thumbnail);
    await this.#bus.store.reports.addPhoto({
      ...photo,
      uploadedBy: actor.userId,
      uploadedAt: new Date().toISOString(),
    });
    logger.debug({ photoId: photo.id, bytes: bytes.length }, 'report photo stored');
    return photo;
  }

  async create(actor: ReportActor, input: NewReport): Promise<ReportChainView> {
    const unit = await unitForReport(this.#bus.store, actor, input);
    const now = new Date().toISOString();
    this.#checkOccurred(input.occurredAt, now);
    const location = input.location ?? unit.seat;
    if (!location) throw new BeaconError('location_required', '请选择事件位置 / choose where it happened');
    const deadline = deadlineFor(this.#options.deadlines, input.level);
    const chainId = randomUUID();
    const first = newEntry(actor, 'first', { ...input, location }, now, firstReportDue(deadline, input.occurredAt));
    const chain = await this.#bus.audited(
      actor,
      (tx) =>
        tx.reports.create(
          {
            id: chainId,
            unitKind: unit.kind,
            unitId: unit.id,
            type: input.type,
            level: input.level,
            title: input.title,
            channel: isStaff(actor) ? input.channel : 'terminal',
            caller: isStaff(actor) ? input.caller : null,
            occurredAt: input.occurredAt,
            location,
            createdAt: now,
            createdBy: actor.userId,
            nextDueAt: nextDueAfter(deadline, 'first', now),
          },
          first,
        ),
      (after) => ({ action: 'report.create', target: after.id, detail: { before: null, after: summary(after) } }),
    );
    logger.info({ chainId, unit: `${unit.kind}:${unit.id}`, type: chain.type, late: first.late }, 'report received');
    this.safeEmit('report', chain);
    return chain;
  }

  /** A follow-up (续报) or the final report (终报): by the chain's own unit, or a department the event involves. */
  async addEntry(actor: ReportActor, chainId: string, input: ReportEntryInput): Promise<ReportChainView> {
    const before = await this.get(actor, chainId);
    // A department the event involves adds what it knows; closing the chain stays with the unit that opened it.
    if (input.kind === 'final' && !isStaff(actor)) requireOwnUnit(actor, before);
    if (before.final) throw new BeaconError('invalid_state', '终报后不能再报 / the chain has its final report');
    const now = new Date().toISOString();
    this.#checkOccurred(input.occurredAt, now);
    const location = input.location ?? before.location;
    const entry = newEntry(actor, input.kind, { ...input, location }, now, before.nextDueAt);
    const deadline = deadlineFor(this.#options.deadlines, before.level);
    const after = await this.#bus.audited(
      actor,
      (tx) =>
        tx.reports.addEntry(chainId, entry, {
          nextDueAt: nextDueAfter(deadline, input.kind, now),
          final: input.kind === 'final',
        }),
      (changed) => ({
        action: 'report.entry',
        target: chainId,
        detail: { before: summary(before), after: summary(changed) },
      }),
    );
    await this.#note(actor, after, `${KIND_ZH[input.kind]}：${input.description}`);
    this.safeEmit('report', after);
    return after;
  }

  /**
   * The chain, if the actor may read it: staff every chain; a unit its own, and a department also the chains of
   * incidents it is part of (部门联动). Others' look absent.
   */
  async get(actor: ReportActor, id: string): Promise<ReportChainView> {
    const chain = await this.#bus.store.reports.get(id);
    if (
      !chain ||
      !(isStaff(actor) || isOwnUnit(actor, chain) || (await isInvolvedDepartment(this.#bus.store, actor, chain)))
    ) {
      throw BeaconError.notFound('report');
    }
    return chain;
  }

  /** Staff: every chain (the inbox); a unit: its own (a department: and those of incidents it is part of). */
  list(actor: ReportActor, query: { state?: ReportState | undefined; limit: number }): Promise<ReportChainView[]> {
    if (isStaff(actor)) return this.#bus.store.reports.list(query);
    const unit = unitOfActor(actor);
    const orInvolvedDepartment = unit.kind === 'department' ? unit.id : undefined;
    return this.#bus.store.reports.list({ ...query, unit, orInvolvedDepartment });
  }

  /** The departments, other than the reporting one, whose incident the chain is linked to (they see it too). */
  involvedDepartments(chain: Pick<ReportChainView, 'incidentId' | 'unitKind' | 'unitId'>): Promise<string[]> {
    return involvedDepartments(this.#bus.store, chain);
  }

  /** Where the actor's report lies unless it says: a township's seat, else the deployment area's centre. */
  defaultLocation(actor: ReportActor): Promise<[number, number] | null> {
    return defaultLocation(this.#bus.store, actor);
  }

  async verify(actor: ReportActor, id: string): Promise<ReportChainView> {
    requireStaff(actor);
    const before = await this.get(actor, id);
    this.#transition(before, 'verified');
    const after = await this.#audited(actor, 'report.verify', before, (tx) =>
      tx.reports.setHandling(
        id,
        { state: 'verified', verifiedAt: new Date().toISOString(), verifiedByName: actor.displayName },
        new Date().toISOString(),
      ),
    );
    return this.#changed('report.verify', after);
  }

  /** The desk asks the unit for more (the unit sees the question on its page and answers in the chain). */
  async ask(actor: ReportActor, id: string, text: string): Promise<ReportChainView> {
    requireStaff(actor);
    const before = await this.get(actor, id);
    const at = new Date().toISOString();
    const after = await this.#audited(actor, 'report.ask', before, async (tx) => {
      await tx.reports.ask({ id: randomUUID(), chainId: id, at, byId: actor.userId, byName: actor.displayName, text });
      return (await tx.reports.get(id)) as ReportChainView;
    });
    return this.#changed('report.ask', after);
  }

  async answer(actor: ReportActor, id: string, questionId: string, text: string): Promise<ReportChainView> {
    const before = await this.get(actor, id);
    if (!isStaff(actor)) requireOwnUnit(actor, before);
    const input = {
      questionId,
      chainId: id,
      at: new Date().toISOString(),
      byId: actor.userId,
      byName: actor.displayName,
    };
    const after = await this.#audited(actor, 'report.answer', before, async (tx) => {
      if (!(await tx.reports.answer({ ...input, text }))) throw BeaconError.notFound('question');
      return (await tx.reports.get(id)) as ReportChainView;
    });
    if (after.incidentId) await this.#note(actor, after, `补充信息：${text}`);
    return this.#changed('report.answer', after);
  }

  /**
   * Creates an incident from the chain, or links it to `incidentId`; the
   * chain's reports so far go onto the incident's timeline.
   */
  async toIncident(
    actor: ReportActor,
    id: string,
    input: { incidentId?: string | undefined; level?: ResponseLevel | undefined },
  ): Promise<ReportChainView> {
    requireStaff(actor);
    const before = await this.get(actor, id);
    this.#transition(before, 'linked');
    const first = before.entries[0];
    const incident = input.incidentId
      ? await this.#incidents.get(input.incidentId)
      : await this.#incidents.create(actor, {
          type: before.type,
          level: input.level ?? before.level ?? 'IV',
          title: before.title,
          description: first?.description ?? '',
          reporter: before.caller ? `${before.unitName}·${before.caller}` : before.unitName,
          townshipId: before.unitKind === 'township' ? before.unitId : null,
          // A department's report involves that department in the incident it becomes.
          departmentIds: before.unitKind === 'department' ? [before.unitId] : [],
          location: before.location,
        });
    const now = new Date().toISOString();
    const after = await this.#audited(actor, 'report.incident', before, (tx) =>
      tx.reports.setHandling(
        id,
        {
          state: 'linked',
          incidentId: incident.id,
          ...(before.verifiedAt ? {} : { verifiedAt: now, verifiedByName: actor.displayName }),
          ...(input.level ? { level: input.level, nextDueAt: this.#nextDue(before, input.level) } : {}),
        },
        now,
      ),
    );
    for (const entry of after.entries) {
      await this.#note(actor, after, `${KIND_ZH[entry.kind]}（${entry.byName}）：${entry.description}`);
    }
    return this.#changed('report.incident', after);
  }

  /** The duty desk merges duplicate chain `id` into the main chain `into` (see reportMerges.ts). */
  async merge(actor: ReportActor, id: string, into: string): Promise<ReportChainView> {
    requireStaff(actor);
    const pair = await mergeChains(this.#bus, actor, await this.get(actor, id), await this.get(actor, into));
    logger.info({ chainId: id, into }, 'report merged');
    if (pair.main.incidentId) {
      await this.#note(actor, pair.main, `合并重复报告：${pair.duplicate.unitName}·${pair.duplicate.title}`);
    }
    this.safeEmit('report', pair.main);
    this.safeEmit('report', pair.duplicate);
    return pair.duplicate;
  }

  async unmerge(actor: ReportActor, id: string): Promise<ReportChainView> {
    requireStaff(actor);
    const pair = await unmergeChain(this.#bus, actor, await this.get(actor, id));
    logger.info({ chainId: id, from: pair.main.id }, 'report unmerged');
    this.safeEmit('report', pair.main);
    this.safeEmit('report', pair.duplicate);
    return pair.duplicate;
  }

  /** The deadline watch found the chain past due: flag it red and tell everyone. */
  async markOverdue(id: string): Promise<ReportChainView | undefined> {
    const after = await this.#bus.store.reports.setOverdue(id, true, new Date().toISOString());
    if (!after) return undefined;
    logger.info({ chainId: id, dueAt: after.nextDueAt }, 'report overdue');
    this.safeEmit('report', after);
    this.safeEmit('overdue', after);
    return after;
  }

  /** The served image or its thumbnail, if the actor may read the chain (or uploaded it and has not reported yet). */
  async photo(actor: ReportActor, photoId: string, size: 'served' | 'thumb'): Promise<Buffer> {
    const photo = await this.#bus.store.reports.photo(photoId);
    const own = photo?.uploadedBy === actor.userId;
    const readable =
      photo &&
      (isStaff(actor) ||
        own ||
        (photo.chainId !== null &&
          (await this.get(actor, photo.chainId).then(
            () => true,
            () => false,
          ))));
    if (!readable) throw BeaconError.notFound('photo');
    return this.#files.read(photoId, size);
  }

  /** The chain's deadline at another response level: the follow-up clock of that level from its last report. */
  #nextDue(chain: ReportChainView, level: ResponseLevel): string | null {
    const last = chain.entries.at(-1);
    if (chain.final || !last) return null;
    return nextDueAfter(deadlineFor(this.#options.deadlines, level), last.kind, last.at);
  }

  #checkOccurred(occurredAt: string, now: string): void {
    if (Date.parse(occurredAt) > Date.parse(now) + FUTURE_SLACK_MS) {
      throw new BeaconError('report_invalid', '发生时间不能晚于现在 / the event cannot occur in the future');
    }
  }

  #transition(chain: ReportChainView, to: ReportState): void {
    if (!REPORT_TRANSITIONS[chain.state].includes(to)) {
      throw new BeaconError('invalid_transition', `报告不能从 ${chain.state} 变为 ${to} / cannot move to ${to}`);
    }
  }

  /** On the timeline of the chain's incident (a merged duplicate's: its main chain's). */
  async #note(actor: ReportActor, chain: ReportChainView, text: string): Promise<void> {
    const main = chain.mergedInto ? await this.#bus.store.reports.get(chain.mergedInto.id) : undefined;
    const incidentId = chain.incidentId ?? main?.incidentId;
    if (!incidentId) return;
    await this.#bus.note(actor, {
      incidentId,
      kind: 'note',
      text: `【信息报送·${chain.unitName}】${text}`,
      data: { reportChainId: chain.id },
    });
  }

  /** The desk's change of a chain and its audit entry (before and after), in one transaction. */
  #audited(
    actor: ReportActor,
    action: string,
    before: ReportChainView,
    change: (tx: StoreRepositories) => Promise<ReportChainView>,
  ): Promise<ReportChainView> {
    return this.#bus.audited(actor, change, (after) => ({
      action,
      target: after.id,
      detail: { before: summary(before), after: summary(after) },
    }));
  }

  /** Tells of a committed change. */
  #changed(action: string, after: ReportChainView): ReportChainView {
    logger.info({ chainId: after.id, action, state: after.state }, 'report handled');
    this.safeEmit('report', after);
    return after;
  }
}
