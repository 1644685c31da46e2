/**
 * Warnings on the villages' emergency broadcast loudspeakers (应急广播). When a
 * warning reaches a township (issue), every enabled loudspeaker of its enabled
 * villages — those inside the area when the village has coordinates — is
 * called at once through the SIP gateway, which plays an attention tone and
 * the warning `repeat` times and hangs up (the loudspeaker answers by itself;
 * nobody presses a key). Each loudspeaker is one store row per warning that
 * moves calling → playing → played, or → failed (busy, no answer, not
 * registered, error); the board shows it. When the township's line escalates
 * (not acknowledged in time), its failed loudspeakers are called again. When
 * the warning is cancelled, the loudspeakers that were called play a short
 * all-clear. Every call is audited as done by the system.
 */
import { randomUUID } from 'node:crypto';
import type { BroadcastKind, DialState, LoudspeakerCallView, LoudspeakerFailure, WarningView } from '@beacon/protocol';
import type { CommandBus, CommandEvents } from '../command/CommandBus.ts';
import { SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { areaPredicate } from '../command/geo/affectedTownships.ts';
import { createLogger } from '../logger.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { NewLoudspeakerCall } from '../store/loudspeakerTypes.ts';
import { allClearBroadcastText, warningBroadcastText } from './loudspeakerText.ts';

const logger = createLogger('LoudspeakerAlerts');

/** The id of an all-clear call names the warning's call it follows; its reports do not move the board. */
const ALL_CLEAR_PREFIX = 'allclear:';

export interface LoudspeakerOptions {
  /** Readings of tone + warning per call (config BEACON_LOUDSPEAKER_REPEAT, default 2). */
  repeat: number;
}

export const DEFAULT_LOUDSPEAKER_OPTIONS: LoudspeakerOptions = { repeat: 2 };

/** How a gateway's final dial state reads on the board. */
function failureOf(state: DialState): LoudspeakerFailure | null {
  if (state === 'busy') return 'busy';
  if (state === 'no_answer') return 'no_answer';
  if (state === 'failed') return 'error';
  return null;
}

export class LoudspeakerAlerts {
  readonly #bus: CommandBus;
  readonly #bridge: SipBridge;
  readonly #opts: LoudspeakerOptions;
  readonly #onAlert = (event: CommandEvents['alert'][0]) => {
    if (event.townshipIds.length === 0) return;
    const work = event.alert.notifyCount === 1 ? this.#callVillages(event) : this.#retryFailed(event);
    work.catch((err: unknown) => logger.error({ err, warningId: event.alert.warningId }, 'loudspeakers not called'));
  };
  readonly #onWarning = (warning: WarningView) => {
    if (warning.status !== 'cancelled') return;
    this.#allClear(warning).catch((err: unknown) =>
      logger.error({ err, warningId: warning.id }, 'all-clear not broadcast'),
    );
  };

  constructor(opts: { bus: CommandBus; bridge: SipBridge; options?: Partial<LoudspeakerOptions> }) {
    this.#bus = opts.bus;
    this.#bridge = opts.bridge;
    this.#opts = { ...DEFAULT_LOUDSPEAKER_OPTIONS, ...opts.options };
    this.#bus.on('alert', this.#onAlert);
    this.#bus.on('warning', this.#onWarning);
  }

  list(warningId: string): Promise<LoudspeakerCallView[]> {
    return this.#bus.store.loudspeakers.list(warningId);
  }

  /** The gateway's progress of one broadcast; reports of an older attempt or a finished call change nothing. */
  async progress(input: { callId: string; attempt: number; state: DialState; reason: string | null }): Promise<void> {
    if (input.callId.startsWith(ALL_CLEAR_PREFIX)) return;
    const { store } = this.#bus;
    const at = new Date().toISOString();
    const { callId: id, attempt, state, reason } = input;
    let row: LoudspeakerCallView | undefined;
    if (state === 'answered') row = await store.loudspeakers.playing(id, attempt, at);
    else if (state === 'ended') row = await this.#finish(id, attempt, null, reason, at);
    else {
      const failure = failureOf(state);
      if (failure) row = await this.#finish(id, attempt, failure, reason, at);
    }
    if (row) this.#bus.emit('loudspeaker', row);
  }

  close(): void {
    this.#bus.off('alert', this.#onAlert);
    this.#bus.off('warning', this.#onWarning);
  }

  /** played (failure null) or failed, with its audit entry in the same transaction. */
  #finish(id: string, attempt: number, failure: LoudspeakerFailure | null, reason: string | null, at: string) {
    return this.#bus.audited(
      SYSTEM_ACTOR,
      (tx) =>
        failure === null
          ? tx.loudspeakers.played(id, attempt, at)
          : tx.loudspeakers.failed(id, attempt, failure, reason, at),
      (row) =>
        row
          ? {
              action: 'loudspeaker.result',
              target: row.warningId,
              detail: {
                callId: row.id,
                terminalId: row.terminalId,
                extension: row.extension,
                attempt,
                state: row.state,
                failure,
                reason,
              },
            }
          : null,
    );
  }

  async #callVillages(event: CommandEvents['alert'][0]): Promise<void> {
    const { store } = this.#bus;
    const warning = await store.warnings.get(event.alert.warningId);
    if (!warning) return;
    const wanted = await this.#loudspeakersOf(warning, event.townshipIds);
    if (wanted.length === 0) return;
    const all = await store.loudspeakers.add(warning.id, wanted, new Date().toISOString());
    const added = new Set(wanted.map((c) => c.id));
    const text = warningBroadcastText(event.alert);
    const calls = all.filter((c) => added.has(c.id));
    logger.info({ warningId: warning.id, loudspeakers: calls.length }, 'calling loudspeakers');
    // All at once: the gateway rings them in parallel.
    await this.#place(calls, 'warning', text);
  }

  /** The line escalated: its loudspeakers that failed are called again (compare-and-set: one node does it). */
  async #retryFailed(event: CommandEvents['alert'][0]): Promise<void> {
    const { store } = this.#bus;
    const townships = new Set(event.townshipIds);
    const failed = (await store.loudspeakers.list(event.alert.warningId)).filter(
      (c) => c.state === 'failed' && townships.has(c.townshipId),
    );
    const retried: LoudspeakerCallView[] = [];
    for (const call of failed) {
      const row = await store.loudspeakers.retry(call.id, call.attempt, new Date().toISOString());
      if (row) retried.push(row);
    }
    if (retried.length > 0) await this.#place(retried, 'warning', warningBroadcastText(event.alert));
  }

  async #allClear(warning: WarningView): Promise<void> {
    const calls = await this.#bus.store.loudspeakers.list(warning.id);
    const text = allClearBroadcastText(warning);
    for (const call of calls) {
      if (!this.#bridge.isRegistered(call.extension)) continue;
      const sent = this.#bridge.broadcast({
        callId: `${ALL_CLEAR_PREFIX}${call.id}`,
        attempt: 1,
        warningId: warning.id,
        kind: 'all_clear',
        extension: call.extension,
        textZh: text,
        // Once is enough: it lifts a warning, it does not raise one.
        repeat: 1,
      });
      await this.#bus.audit(SYSTEM_ACTOR, 'loudspeaker.allClear', warning.id, {
        callId: call.id,
        terminalId: call.terminalId,
        extension: call.extension,
        result: sent ? 'dialled' : 'gateway_unavailable',
      });
    }
  }

  /**
   * Asks the gateway to call these loudspeakers, or marks them failed at once (not registered, no gateway).
   * The audit entries of a whole batch share one transaction: one commit for a hundred loudspeakers, not a
   * hundred commits one after another before the last of them is even dialled.
   */
  async #place(calls: readonly LoudspeakerCallView[], kind: BroadcastKind, textZh: string): Promise<void> {
    const at = new Date().toISOString();
    const available = this.#bridge.available;
    const dial = calls.filter((c) => available && this.#bridge.isRegistered(c.extension));
    const refused = calls.filter((c) => !dial.includes(c));
    const failed = await this.#bus.store.transaction(async (tx) => {
      const rows: LoudspeakerCallView[] = [];
      const failure: LoudspeakerFailure = available ? 'not_registered' : 'error';
      const reason = available ? null : 'SIP gateway unavailable';
      for (const call of refused) {
        const row = await tx.loudspeakers.failed(call.id, call.attempt, failure, reason, at);
        if (row) rows.push(row);
      }
      // The chain's appends last: PostgreSQL holds the audit chain's lock from the first append to COMMIT.
      const system = { actorId: SYSTEM_ACTOR.userId, role: SYSTEM_ACTOR.role };
      for (const row of rows) {
        await tx.audit.append({
          ...system,
          action: 'loudspeaker.result',
          target: row.warningId,
          detail: {
            callId: row.id,
            terminalId: row.terminalId,
            extension: row.extension,
            attempt: row.attempt,
            state: row.state,
            failure,
            reason,
          },
        });
      }
      for (const call of dial) {
        await tx.audit.append({
          ...system,
          action: 'loudspeaker.call',
          target: call.warningId,
          detail: {
            callId: call.id,
            terminalId: call.terminalId,
            villageId: call.villageId,
            extension: call.extension,
            attempt: call.attempt,
          },
        });
      }
      return rows;
    });
    for (const row of failed) this.#bus.emit('loudspeaker', row);
    for (const call of dial) {
      this.#bus.emit('loudspeaker', call);
      this.#bridge.broadcast({
        callId: call.id,
        attempt: call.attempt,
        warningId: call.warningId,
        kind,
        extension: call.extension,
        textZh,
        repeat: this.#opts.repeat,
      });
    }
  }

  /** The enabled loudspeakers of the warned townships' enabled villages (inside the area when located). */
  async #loudspeakersOf(warning: WarningView, townshipIds: readonly string[]): Promise<NewLoudspeakerCall[]> {
    const { store } = this.#bus;
    const inArea = warning.area ? areaPredicate(warning.area) : () => true;
    const villages = new Map<string, { name: string; townshipId: string }>();
    for (const townshipId of townshipIds) {
      for (const village of await store.villages.listByTownship(townshipId)) {
        if (!village.enabled) continue;
        if (village.lat !== null && village.lon !== null && !inArea([village.lat, village.lon])) continue;
        villages.set(village.id, { name: village.name, townshipId });
      }
    }
    if (villages.size === 0) return [];
    const out: NewLoudspeakerCall[] = [];
    for (const t of await store.terminals.list()) {
      const village = t.villageId ? villages.get(t.villageId) : undefined;
      if (t.kind !== 'loudspeaker' || !t.enabled || !t.extension || !village || !t.villageId) continue;
      out.push({
        id: randomUUID(),
        terminalId: t.id,
        townshipId: village.townshipId,
        villageId: t.villageId,
        name: `${village.name}·${t.name}`,
        extension: t.extension,
      });
    }
    return out;
  }
}
