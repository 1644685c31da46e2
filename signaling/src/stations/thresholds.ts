/**
 * Which colour a station's thresholds give: the highest colour any of its conditions reaches.
 *
 * - Rain gauge: rainfall accumulated over 1 h, 3 h, 6 h or 24 h (each window its own threshold per colour; the
 *   way 气象/水利 rainstorm criteria are written, e.g. 3 h ≥ 50 mm → yellow).
 * - Water level: the latest stage against the stage set per colour (commonly blue below 警戒水位, yellow at it,
 *   red at 保证水位).
 * - Displacement: how far the station moved within the last 24 h (the rate is what precedes a slide, not the
 *   total since installation).
 */
import type { RainWindow, StationKind, StationThresholds, WarningColour } from '@beacon/protocol';
import { RAIN_WINDOWS, STATION_LEVELS } from '@beacon/protocol';

export interface ThresholdInput {
  kind: StationKind;
  thresholds: StationThresholds;
  /** Rain: mm per window. */
  accumulated: Partial<Record<RainWindow, number>>;
  /** Water level: the newest stage. */
  lastValue: number | null;
  /** Displacement: largest minus smallest value within 24 h. */
  spread24h: number | null;
}

export interface ThresholdResult {
  level: WarningColour | null;
  /** What reached it (for the audit and the draft's text): a window or `value`, the measure and the threshold. */
  cause: { measure: RainWindow | 'value' | 'h24'; observed: number; threshold: number } | null;
}

const NONE: ThresholdResult = { level: null, cause: null };

/** Index in STATION_LEVELS; −1 for none. */
export function levelRank(level: WarningColour | null): number {
  return level === null ? -1 : STATION_LEVELS.indexOf(level as (typeof STATION_LEVELS)[number]);
}

export function evaluateThresholds(input: ThresholdInput): ThresholdResult {
  // Highest first: the first colour that holds is the answer.
  for (const level of [...STATION_LEVELS].reverse()) {
    const cause = reaches(input, level);
    if (cause) return { level, cause };
  }
  return NONE;
}

function reaches(input: ThresholdInput, level: WarningColour): ThresholdResult['cause'] {
  if (input.kind === 'rain') {
    const limits = input.thresholds.rain?.[level];
    if (!limits) return null;
    for (const window of RAIN_WINDOWS) {
      const threshold = limits[window];
      const observed = input.accumulated[window];
      if (threshold !== undefined && observed !== undefined && observed >= threshold) {
        return { measure: window, observed: round(observed), threshold };
      }
    }
    return null;
  }
  const threshold = input.thresholds.value?.[level];
  if (threshold === undefined) return null;
  if (input.kind === 'water_level') {
    return input.lastValue !== null && input.lastValue >= threshold
      ? { measure: 'value', observed: input.lastValue, threshold }
      : null;
  }
  return input.spread24h !== null && input.spread24h >= threshold
    ? { measure: 'h24', observed: round(input.spread24h), threshold }
    : null;
}

/** Sums of floating-point rainfall show as 50.00000001 otherwise. */
const round = (n: number): number => Math.round(n * 1000) / 1000;
