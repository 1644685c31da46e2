/**
 * One batch of readings checked before anything is stored: every reading needs a measuring time (ISO 8601 with
 * a zone, or epoch milliseconds) and a finite number. A time more than `maxFutureMs` ahead of our clock (a year
 * ahead: a misconfigured logger) refuses the whole batch. Old readings (a logger catching up after an outage, in
 * any order) are accepted.
 *
 * Clock skew: a reading's age alone cannot tell a backlog from a slow clock, so a batch may say when the station
 * sent it (`sentAt`, its own clock): off from ours by more than `skewToleranceMs`, every reading of the batch is
 * flagged. Without `sentAt`, only readings dated ahead of our clock by more than the tolerance are flagged (no
 * backlog lies in the future).
 */
import { BeaconError } from '@beacon/protocol';
import type { NewReading } from '../store/stationTypes.ts';

export interface ReadingCheckOptions {
  /** Readings dated this far ahead of our clock are refused (default 1 day). */
  maxFutureMs?: number;
  /** Readings dated this far from our clock either way are flagged skewed (default 5 minutes). */
  skewToleranceMs?: number;
  /** Readings older than this are refused (default 30 days: beyond the raw retention nothing would evaluate them). */
  maxAgeMs?: number;
}

const DAY_MS = 86_400_000;
/** A stage or a rainfall beyond this is a broken sensor (or a unit mix-up), not a measurement. */
const MAX_ABS_VALUE = 1_000_000;
/** ISO 8601 date-time with a zone: a time without one would be read in the server's zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function readingTime(at: unknown): number | null {
  if (typeof at === 'number') return Number.isSafeInteger(at) && at > 0 ? at : null;
  if (typeof at === 'string' && ISO_WITH_ZONE.test(at)) {
    const ms = Date.parse(at);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

/** Throws `reading_invalid` naming the first reading at fault; nothing of the batch is stored then. */
export function checkReadings(
  readings: readonly { at?: unknown; value?: unknown }[],
  nowMs: number,
  opts: ReadingCheckOptions = {},
  sentAt?: unknown,
): NewReading[] {
  const maxFuture = opts.maxFutureMs ?? DAY_MS;
  const tolerance = opts.skewToleranceMs ?? 5 * 60_000;
  const maxAge = opts.maxAgeMs ?? 30 * DAY_MS;
  let batchSkewed = false;
  if (sentAt !== undefined) {
    const sentMs = readingTime(sentAt);
    if (sentMs === null) {
      const err = new BeaconError('reading_invalid', 'sentAt is not ISO 8601 with a zone or epoch milliseconds');
      err.field = 'sentAt';
      throw err;
    }
    batchSkewed = Math.abs(sentMs - nowMs) > tolerance;
  }
  return readings.map((r, i) => {
    const atMs = readingTime(r.at);
    if (atMs === null) throw invalid(i, 'at', 'time is not ISO 8601 with a zone or epoch milliseconds');
    if (atMs - nowMs > maxFuture) throw invalid(i, 'at', 'time lies in the future');
    if (nowMs - atMs > maxAge) throw invalid(i, 'at', 'time is older than the stored history');
    const { value } = r;
    // A string "12.5" is refused too: loggers that quote numbers are misconfigured, and guessing hides it.
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_ABS_VALUE) {
      throw invalid(i, 'value', 'value is not a finite number');
    }
    return { atMs, value, receivedMs: nowMs, skewed: batchSkewed || atMs - nowMs > tolerance };
  });
}

function invalid(index: number, field: 'at' | 'value', why: string): BeaconError {
  const err = new BeaconError('reading_invalid', `reading ${index}: ${why}; nothing stored`);
  err.field = `readings[${index}].${field}`;
  return err;
}
