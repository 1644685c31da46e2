/**
 * Station readings as a time series: raw readings keyed by (station, measuring time in ms), folded into hourly
 * aggregates once older than the raw retention, and the state each station is in. The SQL is the dialect both
 * databases share: integer division buckets the time, `ON CONFLICT DO NOTHING` makes a resent reading a no-op.
 */
import type { RainWindow, WarningColour } from '@beacon/protocol';
import { RAIN_WINDOW_MS, RAIN_WINDOWS } from '@beacon/protocol';
import type { SqlQueries } from './sqlDb.ts';
import type { NewReading, ReadingRepository, SeriesBucket, StationStateRecord } from './stationTypes.ts';

const HOUR_MS = 3_600_000;

interface StateRow {
  station_id: string;
  level: WarningColour | null;
  warning_id: string | null;
  offline: number;
  last_at_ms: number | null;
  last_value: number | null;
  last_heard_ms: number | null;
  accumulated: string;
  changed_at: string;
}

const toState = (r: StateRow): StationStateRecord => ({
  stationId: r.station_id,
  level: r.level,
  warningId: r.warning_id,
  offline: r.offline === 1,
  lastAtMs: r.last_at_ms === null ? null : Number(r.last_at_ms),
  lastValue: r.last_value,
  lastHeardMs: r.last_heard_ms === null ? null : Number(r.last_heard_ms),
  accumulated: JSON.parse(r.accumulated) as Partial<Record<RainWindow, number>>,
  changedAt: r.changed_at,
});

/** One SELECT for every window: each sum only counts the readings inside its own window. */
const WINDOW_SQL = `SELECT ${RAIN_WINDOWS.map((w) => `SUM(CASE WHEN at_ms > ? THEN value ELSE 0 END) AS ${w}`).join(', ')},
    MAX(value) AS max_value, MIN(value) AS min_value, COUNT(*) AS n
  FROM station_readings WHERE station_id = ? AND at_ms > ? AND at_ms <= ?`;

export function readingRepository(db: SqlQueries): ReadingRepository {
  return {
    insert: async (stationId, readings) => {
      const [fresh = []] = await insertBatches(db, [{ stationId, readings }]);
      const stored = fresh.filter(Boolean).length;
      return { stored, duplicates: readings.length - stored };
    },
    insertMany: (batches) => insertBatches(db, batches),
    minuteBuckets: async (stationId, sinceMs) =>
      (
        await db.all<{ m: number; sum: number; hi: number; lo: number }>(
          `SELECT m, SUM(value) AS sum, MAX(value) AS hi, MIN(value) AS lo FROM (
             SELECT (at_ms / 60000) * 60000 AS m, value FROM station_readings WHERE station_id = ? AND at_ms > ?) b
           GROUP BY m`,
          [stationId, sinceMs],
        )
      ).map((r) => ({ minuteMs: Number(r.m), sum: r.sum, max: r.hi, min: r.lo })),

    windows: async (stationId, untilMs) => {
      const longest = RAIN_WINDOW_MS.h24;
      const row = await db.get<Record<RainWindow | 'max_value' | 'min_value' | 'n', number | null>>(WINDOW_SQL, [
        ...RAIN_WINDOWS.map((w) => untilMs - RAIN_WINDOW_MS[w]),
        stationId,
        untilMs - longest,
        untilMs,
      ]);
      const last = await db.get<{ at_ms: number; value: number }>(
        'SELECT at_ms, value FROM station_readings WHERE station_id = ? AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1',
        [stationId, untilMs],
      );
      const accumulated: Partial<Record<RainWindow, number>> = {};
      if (row && Number(row.n) > 0) {
        for (const w of RAIN_WINDOWS) accumulated[w] = Number(row[w] ?? 0);
      }
      return {
        accumulated,
        last: last ? { atMs: Number(last.at_ms), value: last.value } : null,
        spread24h: row && Number(row.n) > 0 ? Number(row.max_value) - Number(row.min_value) : null,
      };
    },

    series: async (stationId, fromMs, toMs, bucketMs, agg) => {
      const fn = agg === 'sum' ? 'SUM' : 'MAX';
      // The bucket is computed once in a subquery: PostgreSQL does not see two `(at_ms / $n)` with different
      // placeholders as the same grouping expression.
      const raw = await db.all<{ bucket: number; v: number }>(
        `SELECT bucket, ${fn}(value) AS v FROM (
           SELECT (at_ms / ?) * ? AS bucket, value FROM station_readings
           WHERE station_id = ? AND at_ms >= ? AND at_ms < ?) b
         GROUP BY bucket ORDER BY bucket`,
        [bucketMs, bucketMs, stationId, fromMs, toMs],
      );
      const hourly = await db.all<{ hour_ms: number; v: number }>(
        `SELECT hour_ms, ${agg === 'sum' ? 'total' : 'max_value'} AS v FROM station_hourly
         WHERE station_id = ? AND hour_ms >= ? AND hour_ms < ? ORDER BY hour_ms`,
        [stationId, fromMs - (fromMs % HOUR_MS), toMs],
      );
      const merged = new Map<number, number>();
      const add = (at: number, v: number) => {
        const before = merged.get(at);
        merged.set(at, before === undefined ? v : agg === 'sum' ? before + v : Math.max(before, v));
      };
      // An hourly aggregate covers what raw readings no longer do; it goes into the bucket its hour starts in.
      for (const h of hourly) add(Number(h.hour_ms) - (Number(h.hour_ms) % bucketMs), h.v);
      for (const r of raw) add(Number(r.bucket), r.v);
      return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([atMs, value]): SeriesBucket => ({ atMs, value }));
    },

    downsample: (stationId, rawBeforeMs, hourlyBeforeMs) =>
      db.transaction(async (tx) => {
        const cutoff = rawBeforeMs - (rawBeforeMs % HOUR_MS);
        // Hours already aggregated (readings that arrived late) are merged into, not replaced.
        // The last value of an hour is the reading at its latest time, joined back (SQLite allows no outer
        // aggregate inside a correlated subquery). `WHERE true`: SQLite's upsert after a join needs it.
        const { changes } = await tx.run(
          `INSERT INTO station_hourly (station_id, hour_ms, count, total, min_value, max_value, last_value)
           SELECT g.station_id, g.hour_ms, g.n, g.total, g.lo, g.hi, l.value
           FROM (SELECT station_id, (at_ms / ${HOUR_MS}) * ${HOUR_MS} AS hour_ms, COUNT(*) AS n, SUM(value) AS total,
                   MIN(value) AS lo, MAX(value) AS hi, MAX(at_ms) AS last_at
                 FROM station_readings WHERE station_id = ? AND at_ms < ? GROUP BY station_id, (at_ms / ${HOUR_MS}) * ${HOUR_MS}) g
           JOIN station_readings l ON l.station_id = g.station_id AND l.at_ms = g.last_at
           WHERE true
           ON CONFLICT (station_id, hour_ms) DO UPDATE SET
             count = station_hourly.count + excluded.count,
             total = station_hourly.total + excluded.total,
             min_value = CASE WHEN excluded.min_value < station_hourly.min_value
               THEN excluded.min_value ELSE station_hourly.min_value END,
             max_value = CASE WHEN excluded.max_value > station_hourly.max_value
               THEN excluded.max_value ELSE station_hourly.max_value END,
             last_value = excluded.last_value`,
          [stationId, cutoff],
        );
        const folded =
          changes > 0 ? (await tx.run('DELETE FROM station_readings WHERE at_ms < ?', [cutoff])).changes : 0;
        await tx.run('DELETE FROM station_hourly WHERE hour_ms < ?', [hourlyBeforeMs]);
        return folded;
      }),

    state: async (stationId) => {
      const row = await db.get<StateRow>('SELECT * FROM station_states WHERE station_id = ?', [stationId]);
      return row && toState(row);
    },
    states: async () => (await db.all<StateRow>('SELECT * FROM station_states')).map(toState),
    saveState: (s) => saveState(db, s),
    saveStates: (states) =>
      db.transaction(async (tx) => {
        for (const s of states) await saveState(tx, s);
      }),
  };
}

function insertBatches(
  db: SqlQueries,
  batches: readonly { stationId: string; readings: readonly NewReading[] }[],
): Promise<boolean[][]> {
  return db.transaction(async (tx) => {
    const stored: boolean[][] = [];
    for (const { stationId, readings } of batches) {
      const fresh: boolean[] = [];
      for (const r of readings) {
        const { changes } = await tx.run(
          `INSERT INTO station_readings (station_id, at_ms, value, received_ms, skewed) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (station_id, at_ms) DO NOTHING`,
          [stationId, r.atMs, r.value, r.receivedMs, r.skewed ? 1 : 0],
        );
        fresh.push(changes === 1);
      }
      stored.push(fresh);
    }
    return stored;
  });
}

async function saveState(db: SqlQueries, s: StationStateRecord): Promise<void> {
  await db.run(
    `INSERT INTO station_states (station_id, level, warning_id, offline, last_at_ms, last_value, last_heard_ms,
       accumulated, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (station_id) DO UPDATE SET level = excluded.level, warning_id = excluded.warning_id,
       offline = excluded.offline, last_at_ms = excluded.last_at_ms, last_value = excluded.last_value,
       last_heard_ms = excluded.last_heard_ms, accumulated = excluded.accumulated, changed_at = excluded.changed_at`,
    [
      s.stationId,
      s.level,
      s.warningId,
      s.offline ? 1 : 0,
      s.lastAtMs,
      s.lastValue,
      s.lastHeardMs,
      JSON.stringify(s.accumulated),
      s.changedAt,
    ],
  );
}
