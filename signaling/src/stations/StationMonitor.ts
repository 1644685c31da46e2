/**
 * The monitoring stations at run time: readings in (from the HTTP API and MQTT alike), thresholds evaluated,
 * drafts raised, silence noticed. A station's state (level, warning, offline, latest reading) is kept in memory
 * and in the store; `state` fires when what the map colours by (level, offline) changes.
 *
 * Batches are stored and evaluated by one drain at a time, everything queued meanwhile together (group commit):
 * two batches of a station crossing a threshold at once raise one draft, not two, and the disk sees one commit
 * per drain, not one per reading.
 *
 * ```
 *   per station:  online ──silent 2 × interval──> offline ──any reading──> online
 *                 level:  null ⇄ blue ⇄ yellow ⇄ orange ⇄ red   (a rise drafts/raises a warning; a fall only recolours)
 * ```
 */

import { TypedEmitter } from '@beacon/common';
import type { IngestResult, StationStateView, StationView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { type CommandBus, SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { createLogger } from '../logger.ts';
import type { NewReading, StationStateRecord } from '../store/stationTypes.ts';
import { MinuteRing } from './MinuteRing.ts';
import { checkReadings, type ReadingCheckOptions } from './readingValidation.ts';
import type { StationDrafts } from './StationDrafts.ts';
import { evaluateThresholds, levelRank } from './thresholds.ts';

const logger = createLogger('StationMonitor');

export type StationMonitorEvents = {
  /** The level or the offline flag of a station changed. */
  state: [StationStateView];
  /** A batch was stored and evaluated (benchmarks read it): its newest reading's time and when it came in. */
  ingested: [{ stationId: string; stored: number; newestAtMs: number; receivedMs: number }];
};

const HOUR_MS = 3_600_000;

/** Batches stored in one transaction at most (a drain's size under a burst). */
const MAX_DRAIN = 2000;

interface Pending {
  station: StationView;
  readings: NewReading[];
  receivedMs: number;
  resolve: (result: IngestResult) => void;
  reject: (err: unknown) => void;
}

/** Silent for this many reporting intervals → offline: one lost report is no alarm, two in a row are. */
const OFFLINE_INTERVALS = 2;

export class StationMonitor extends TypedEmitter<StationMonitorEvents> {
  readonly #bus: CommandBus;
  readonly #drafts: StationDrafts;
  readonly #check: ReadingCheckOptions;
  readonly #stations = new Map<string, StationView>();
  readonly #states = new Map<string, StationStateRecord>();
  readonly #queue: Pending[] = [];
  /** Each reporting station's last 24 h per minute (filled from the store on its first batch since start). */
  readonly #rings = new Map<string, MinuteRing>();
  #draining = false;
  #serial: Promise<void> = Promise.resolve();

  constructor(opts: { bus: CommandBus; drafts: StationDrafts; check?: ReadingCheckOptions }) {
    super();
    this.#bus = opts.bus;
    this.#drafts = opts.drafts;
    this.#check = opts.check ?? {};
  }

  /** Reads the stations and their states again (at start, and after an admin changed a station). */
  async load(): Promise<void> {
    const { store } = this.#bus;
    const [stations, states] = await Promise.all([store.stations.list(), store.readings.states()]);
    this.#stations.clear();
    for (const s of stations) this.#stations.set(s.id, s);
    for (const s of states) this.#states.set(s.stationId, s);
  }

  station(id: string): StationView | undefined {
    return this.#stations.get(id);
  }

  /** Every enabled station's state for the map. */
  views(): StationStateView[] {
    return [...this.#stations.values()].filter((s) => s.enabled).map((s) => this.#view(s, this.#states.get(s.id)));
  }

  /**
   * Checks, stores and evaluates a batch of an (authenticated) enabled station. `station_unknown` for an unknown
   * or disabled one; `reading_invalid` when any reading is bad — then nothing is stored.
   */
  ingest(
    stationId: string,
    readings: readonly { at?: unknown; value?: unknown }[],
    sentAt?: unknown,
    receivedMs = Date.now(),
  ): Promise<IngestResult> {
    const station = this.#stations.get(stationId);
    if (!station?.enabled) return Promise.reject(new BeaconError('station_unknown', `no station ${stationId}`));
    let checked: NewReading[];
    try {
      checked = checkReadings(readings, receivedMs, this.#check, sentAt);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<IngestResult>((resolve, reject) => {
      this.#queue.push({ station, readings: checked, receivedMs, resolve, reject });
      this.#kick();
    });
  }

  /** One drain at a time; whatever queued meanwhile is the next drain's batch (group commit). */
  #kick(): void {
    if (this.#draining || this.#queue.length === 0) return;
    this.#draining = true;
    void this.#exclusive(() => this.#drain()).finally(() => {
      this.#draining = false;
      this.#kick();
    });
  }

  /**
   * Stores every queued batch in one transaction (one commit, so one fsync, for up to MAX_DRAIN batches: at
   * 400 readings/s a commit per reading would wait on the disk, not on the CPU), then evaluates each station
   * once with all of its new readings and saves the states in a second transaction.
   */
  async #drain(): Promise<void> {
    const batch = this.#queue.splice(0, MAX_DRAIN);
    try {
      const stored = await this.#bus.store.readings.insertMany(
        batch.map((p) => ({ stationId: p.station.id, readings: p.readings })),
      );
      const byStation = new Map<string, Pending[]>();
      for (const p of batch) byStation.set(p.station.id, [...(byStation.get(p.station.id) ?? []), p]);
      const changes: { station: StationView; state: StationStateRecord; changed: boolean; onlineAt: string | null }[] =
        [];
      const fresh = new Map<Pending, boolean[]>(batch.map((p, i) => [p, stored[i] ?? []]));
      for (const items of byStation.values()) {
        const station = items[0]?.station as StationView;
        const readings = items.flatMap((p) => p.readings);
        const isNew = items.flatMap((p) => fresh.get(p) ?? []);
        const receivedMs = Math.max(...items.map((p) => p.receivedMs));
        changes.push({ station, ...(await this.#evaluate(station, readings, isNew, receivedMs)) });
      }
      // A station back online: the state and its audit entry commit together.
      await this.#bus.audited(
        SYSTEM_ACTOR,
        (tx) => tx.readings.saveStates(changes.map((c) => c.state)),
        () =>
          changes.flatMap((c) =>
            c.onlineAt ? [{ action: 'station.online', target: c.station.id, detail: { at: c.onlineAt } }] : [],
          ),
      );
      for (const c of changes) this.#remember(c.station, c.state, c.changed);
      batch.forEach((p, i) => {
        const n = (stored[i] ?? []).filter(Boolean).length;
        this.safeEmit('ingested', {
          stationId: p.station.id,
          stored: n,
          newestAtMs: Math.max(...p.readings.map((r) => r.atMs)),
          receivedMs: p.receivedMs,
        });
        p.resolve({ stored: n, duplicates: p.readings.length - n, skewed: p.readings.filter((r) => r.skewed).length });
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** Runs `fn` after everything queued before it (drains and silence checks never interleave). */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn);
    this.#serial = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Marks stations silent for too long offline (and audits it); returns the ids that went offline now. */
  checkSilence(nowMs = Date.now()): Promise<string[]> {
    return this.#exclusive(() => this.#checkSilence(nowMs));
  }

  async #checkSilence(nowMs: number): Promise<string[]> {
    const gone: string[] = [];
    for (const station of this.#stations.values()) {
      if (!station.enabled) continue;
      const state = this.#states.get(station.id);
      if (state?.offline) continue;
      const heard = state?.lastHeardMs ?? Date.parse(station.createdAt);
      if (nowMs - heard <= OFFLINE_INTERVALS * station.intervalSeconds * 1000) continue;
      const next = { ...this.#base(station.id), offline: true, changedAt: new Date(nowMs).toISOString() };
      await this.#bus.audited(
        SYSTEM_ACTOR,
        (tx) => tx.readings.saveState(next),
        () => ({
          action: 'station.offline',
          target: station.id,
          detail: {
            lastHeard: state?.lastHeardMs ? new Date(state.lastHeardMs).toISOString() : null,
            intervalSeconds: station.intervalSeconds,
          },
        }),
      );
      this.#remember(station, next, true);
      logger.warn({ stationId: station.id }, 'station offline');
      gone.push(station.id);
    }
    return gone;
  }

  async #evaluate(
    station: StationView,
    batch: readonly NewReading[],
    isNew: readonly boolean[],
    receivedMs: number,
  ): Promise<{ state: StationStateRecord; changed: boolean; onlineAt: string | null }> {
    const before = this.#base(station.id);
    let ring = this.#rings.get(station.id);
    if (!ring) {
      // First batch since start: the day so far from the store (which holds this batch already).
      ring = new MinuteRing();
      for (const b of await this.#bus.store.readings.minuteBuckets(station.id, receivedMs - 25 * HOUR_MS)) {
        ring.add(b.minuteMs, b.sum, b.max, b.min);
      }
      this.#rings.set(station.id, ring);
    } else {
      batch.forEach((r, i) => {
        if (isNew[i]) ring?.add(r.atMs, r.value);
      });
    }
    // The newest reading decides "now" and the stage: an older one arriving late only adds to the sums.
    let last = before.lastAtMs === null ? null : { atMs: before.lastAtMs, value: before.lastValue as number };
    for (const r of batch) if (last === null || r.atMs >= last.atMs) last = { atMs: r.atMs, value: r.value };
    const windows = ring.windows(last?.atMs ?? receivedMs);
    const result = evaluateThresholds({
      kind: station.kind,
      thresholds: station.thresholds,
      accumulated: windows.accumulated,
      lastValue: last?.value ?? null,
      spread24h: windows.spread24h,
    });
    const next: StationStateRecord = {
      ...before,
      level: result.level,
      offline: false,
      lastAtMs: last?.atMs ?? null,
      lastValue: last?.value ?? null,
      lastHeardMs: receivedMs,
      accumulated: station.kind === 'displacement' ? { h24: windows.spread24h ?? 0 } : windows.accumulated,
    };
    if (levelRank(result.level) > levelRank(before.level)) {
      const outcome = await this.#drafts.rose(station, result, before.warningId, batch);
      next.warningId = outcome.warning?.id ?? before.warningId;
    }
    const changed = next.level !== before.level || next.offline !== before.offline;
    if (changed) next.changedAt = new Date(receivedMs).toISOString();
    // Audited with the saved state (#drain).
    if (before.offline) logger.info({ stationId: station.id }, 'station back online');
    return { state: next, changed, onlineAt: before.offline ? new Date(receivedMs).toISOString() : null };
  }

  #base(stationId: string): StationStateRecord {
    return (
      this.#states.get(stationId) ?? {
        stationId,
        level: null,
        warningId: null,
        offline: false,
        lastAtMs: null,
        lastValue: null,
        lastHeardMs: null,
        accumulated: {},
        changedAt: new Date().toISOString(),
      }
    );
  }

  #remember(station: StationView, state: StationStateRecord, changed: boolean): void {
    this.#states.set(station.id, state);
    if (changed) {
      const view = this.#view(station, state);
      this.safeEmit('state', view);
      this.#bus.emit('station', view);
    }
  }

  #view(station: StationView, state: StationStateRecord | undefined): StationStateView {
    return {
      stationId: station.id,
      name: station.name,
      kind: station.kind,
      lat: station.lat,
      lon: station.lon,
      townshipId: station.townshipId,
      level: state?.level ?? null,
      offline: state?.offline ?? false,
      lastAt: state?.lastAtMs ? new Date(state.lastAtMs).toISOString() : null,
      lastValue: state?.lastValue ?? null,
      accumulated: state?.accumulated ?? {},
      warningId: state?.warningId ?? null,
    };
  }
}
