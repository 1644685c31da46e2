/**
 * What a station's thresholds do to warnings: draft them, never issue them. A crossing drafts a warning for a
 * circle around the station (the townships it reaches get it once the duty officer issues it); a higher colour
 * while that draft is still a draft raises it in place; once it was issued or cancelled, a higher colour drafts a
 * new one (the officer issues an upgrade). A falling level changes no warning: lifting one is the officer's call.
 * Every action is audited as done by the system, with the readings that caused it.
 */
import type { CapSeverity, StationView, WarningColour, WarningView } from '@beacon/protocol';
import type { AuditLine } from '../audit/auditedChange.ts';
import type { CommandBus } from '../command/CommandBus.ts';
import { SYSTEM_ACTOR } from '../command/CommandBus.ts';
import type { WarningDesk } from '../command/WarningDesk.ts';
import { createLogger } from '../logger.ts';
import type { NewReading } from '../store/stationTypes.ts';
import { levelRank, type ThresholdResult } from './thresholds.ts';

const logger = createLogger('StationDrafts');

/** How long a drafted warning is valid unless the officer changes it (default 12 h). */
const DRAFT_VALID_MS = 12 * 3_600_000;

const SEVERITY: Record<WarningColour, CapSeverity> = {
  red: 'Extreme',
  orange: 'Severe',
  yellow: 'Moderate',
  blue: 'Minor',
};
const COLOUR_NAME: Record<WarningColour, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };
const EVENT: Record<StationView['kind'], string> = {
  rain: '暴雨 / Rainstorm',
  water_level: '洪水 / Flood',
  displacement: '地质灾害 / Landslide',
};
const MEASURE: Record<string, string> = {
  h1: '1 小时累计降雨',
  h3: '3 小时累计降雨',
  h6: '6 小时累计降雨',
  h24: '24 小时累计降雨',
  value: '水位',
};
const UNIT: Record<StationView['kind'], string> = { rain: 'mm', water_level: 'm', displacement: 'mm' };

export interface DraftOutcome {
  action: 'created' | 'raised' | 'none';
  warning: WarningView | null;
}

export class StationDrafts {
  readonly #bus: CommandBus;
  readonly #warnings: WarningDesk;

  constructor(bus: CommandBus, warnings: WarningDesk) {
    this.#bus = bus;
    this.#warnings = warnings;
  }

  /**
   * The level rose to `result.level` (above the previous one). `warningId`: the warning this station raised before,
   * if any. Returns what was done; the caller keeps the warning's id.
   */
  async rose(
    station: StationView,
    result: ThresholdResult,
    warningId: string | null,
    readings: readonly NewReading[],
  ): Promise<DraftOutcome> {
    const level = result.level as WarningColour;
    const text = this.#text(station, result);
    const previous = warningId ? await this.#bus.store.warnings.get(warningId) : undefined;
    let outcome: DraftOutcome = { action: 'none', warning: previous ?? null };
    // What the audit keeps of the crossing; written in the same transaction as the draft it made or raised.
    const detail = (draft: DraftOutcome['action'], warning: WarningView | null) => ({
      level,
      cause: result.cause,
      draft,
      warningId: warning?.id ?? null,
      readings: readings.map((r) => ({ at: new Date(r.atMs).toISOString(), value: r.value })),
    });
    const entry = (draft: DraftOutcome['action'], warning: WarningView): AuditLine => ({
      action: 'station.threshold',
      target: station.id,
      detail: detail(draft, warning),
    });
    const live =
      previous &&
      previous.status !== 'cancelled' &&
      (previous.expires === null || Date.parse(previous.expires) > Date.now());
    const raised =
      live && levelRank(previous.colour) < levelRank(level) && previous.status === 'draft'
        ? await this.#bus.audited(
            SYSTEM_ACTOR,
            async (tx) =>
              (await tx.stations.raiseDraft(previous.id, { colour: level, severity: SEVERITY[level], ...text }))
                ? ((await tx.warnings.get(previous.id)) as WarningView)
                : null,
            (warning) => warning && entry('raised', warning),
          )
        : null;
    if (live && levelRank(previous.colour) >= levelRank(level)) {
      // Its warning already says as much (issued or drafted, still valid): nothing to raise.
      await this.#bus.audit(SYSTEM_ACTOR, 'station.threshold', station.id, detail('none', previous));
    } else if (raised) {
      this.#bus.emit('warning', raised);
      outcome = { action: 'raised', warning: raised };
    } else {
      const now = Date.now();
      const warning = await this.#warnings.create(
        SYSTEM_ACTOR,
        {
          event: EVENT[station.kind],
          colour: level,
          urgency: 'Expected',
          severity: SEVERITY[level],
          certainty: 'Observed',
          ...text,
          instruction:
            '监测站点自动生成的预警草稿，请值班人员核实、修改后签发 / drafted from station readings: verify before issuing',
          area: { type: 'circle', center: [station.lat, station.lon], radiusKm: station.alertRadiusKm },
          areaDesc: `${station.name}周边 ${station.alertRadiusKm} 公里`,
          effective: new Date(now).toISOString(),
          expires: new Date(now + DRAFT_VALID_MS).toISOString(),
          incidentId: null,
          escalationMinutes: 10,
          departmentIds: station.ownerDepartmentId ? [station.ownerDepartmentId] : [],
        },
        'warning.create',
        (created) => entry('created', created),
      );
      outcome = { action: 'created', warning };
    }
    if (outcome.action !== 'none') {
      logger.info({ stationId: station.id, level, warningId: outcome.warning?.id }, `station draft ${outcome.action}`);
    }
    return outcome;
  }

  #text(station: StationView, result: ThresholdResult): { headline: string; description: string } {
    const level = result.level as WarningColour;
    const cause = result.cause;
    const unit = UNIT[station.kind];
    const measure = cause ? (station.kind === 'displacement' ? '24 小时位移' : MEASURE[cause.measure]) : '';
    // No "draft" in the text: it is what terminals show once the officer issues it.
    const reached = cause ? `${measure} ${cause.observed} ${unit}` : '';
    const headline = cause
      ? `${station.name}${reached}，达到${COLOUR_NAME[level]}预警阈值`
      : `${station.name}达到${COLOUR_NAME[level]}预警阈值`;
    const description = cause
      ? `${station.name}（${station.id}）${reached}，达到${COLOUR_NAME[level]}阈值 ${cause.threshold} ${unit}。`
      : `${station.name}（${station.id}）达到${COLOUR_NAME[level]}阈值。`;
    return { headline, description };
  }
}
