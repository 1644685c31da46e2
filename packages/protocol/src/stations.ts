/**
 * Monitoring stations (监测站点): rain gauges (雨量站), water level stations (水位站) and landslide displacement
 * stations (地质灾害位移监测), their thresholds per warning colour, the readings they send and the state the
 * command map shows. REST bodies of the station admin, the ingest API and the map.
 */
import { z } from 'zod';
import type { WarningColour } from './vocabulary.ts';

export const STATION_KINDS = ['rain', 'water_level', 'displacement'] as const;
export type StationKind = (typeof STATION_KINDS)[number];

/** Rainfall accumulation windows a rain gauge's thresholds are set on. */
export const RAIN_WINDOWS = ['h1', 'h3', 'h6', 'h24'] as const;
export type RainWindow = (typeof RAIN_WINDOWS)[number];
export const RAIN_WINDOW_MS: Record<RainWindow, number> = {
  h1: 3_600_000,
  h3: 3 * 3_600_000,
  h6: 6 * 3_600_000,
  h24: 24 * 3_600_000,
};

/** Lowest to highest; a level is "higher" when its index is larger. */
export const STATION_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const satisfies readonly WarningColour[];

/** A station id is its MQTT user name and topic segment: letters, digits, `-` and `_` only. */
export const stationIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ (1–40)');

const amount = z.number().finite().min(0).max(100_000);
const rainLevelSchema = z.object({ h1: amount, h3: amount, h6: amount, h24: amount }).partial();

/**
 * Rain: per colour, the rainfall (mm) accumulated over any of the windows that reaches that colour.
 * Water level: per colour, the stage (m) at or above which the colour holds.
 * Displacement: per colour, the displacement (mm) within the last 24 h at or above which it holds.
 */
export const stationThresholdsSchema = z.object({
  rain: z
    .object({ blue: rainLevelSchema, yellow: rainLevelSchema, orange: rainLevelSchema, red: rainLevelSchema })
    .partial()
    .optional(),
  value: z
    .object({
      blue: z.number().finite(),
      yellow: z.number().finite(),
      orange: z.number().finite(),
      red: z.number().finite(),
    })
    .partial()
    .optional(),
});
export type StationThresholds = z.infer<typeof stationThresholdsSchema>;

const name = z.string().trim().min(1).max(100);
const latitude = z.number().min(-90).max(90);
const longitude = z.number().min(-180).max(180);

export const createStationSchema = z
  .object({
    id: stationIdSchema,
    name,
    kind: z.enum(STATION_KINDS),
    lat: latitude,
    lon: longitude,
    townshipId: z.string().min(1).max(100),
    /** The unit that owns and maintains it: a township or a department (exactly one). */
    ownerTownshipId: z.string().min(1).max(100).nullable().default(null),
    ownerDepartmentId: z.string().min(1).max(100).nullable().default(null),
    thresholds: stationThresholdsSchema.default({}),
    /** 警戒水位 and 保证水位 (m), water level stations only: drawn on the chart. */
    warningLevel: z.number().finite().nullable().default(null),
    guaranteedLevel: z.number().finite().nullable().default(null),
    /** How often it reports; silent for twice this long → offline. */
    intervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(24 * 3600)
      .default(300),
    /** The circle a draft warning of this station covers (km). */
    alertRadiusKm: z.number().positive().max(200).default(5),
  })
  .refine((s) => (s.ownerTownshipId === null) !== (s.ownerDepartmentId === null), {
    message: 'owned by exactly one township or department',
    path: ['ownerTownshipId'],
  });
export type CreateStationRequest = z.infer<typeof createStationSchema>;

export const updateStationSchema = z
  .object({
    name,
    kind: z.enum(STATION_KINDS),
    lat: latitude,
    lon: longitude,
    townshipId: z.string().min(1).max(100),
    ownerTownshipId: z.string().min(1).max(100).nullable(),
    ownerDepartmentId: z.string().min(1).max(100).nullable(),
    thresholds: stationThresholdsSchema,
    warningLevel: z.number().finite().nullable(),
    guaranteedLevel: z.number().finite().nullable(),
    intervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(24 * 3600),
    alertRadiusKm: z.number().positive().max(200),
    enabled: z.boolean(),
  })
  .partial();
export type UpdateStationRequest = z.infer<typeof updateStationSchema>;

export interface StationView {
  id: string;
  name: string;
  kind: StationKind;
  lat: number;
  lon: number;
  townshipId: string;
  ownerTownshipId: string | null;
  ownerDepartmentId: string | null;
  thresholds: StationThresholds;
  warningLevel: number | null;
  guaranteedLevel: number | null;
  intervalSeconds: number;
  alertRadiusKm: number;
  enabled: boolean;
  createdAt: string;
}

/** Answer of creating a station or renewing its token: the token is shown this once, never stored in clear. */
export interface StationWithToken {
  station: StationView;
  /** HTTP bearer token and MQTT password of the station. */
  token: string;
}

/**
 * One reading. `at`: when it was measured (ISO 8601 with zone, or epoch ms). `value`: rain gauges the rainfall
 * (mm) since their previous reading, water level stations the stage (m), displacement stations the accumulated
 * displacement (mm). Checked one by one by the ingest (a non-number is `reading_invalid`, not a zod error here).
 */
export const readingBatchSchema = z.object({
  /** When the station sent the batch, by its own clock: tells us how far off that clock is (optional). */
  sentAt: z.unknown().optional(),
  readings: z
    .array(z.object({ at: z.unknown(), value: z.unknown() }))
    .min(1)
    .max(1000),
});

export interface StationReading {
  at: string;
  value: number;
  /** The station's clock was far from ours when it sent this. */
  skewed: boolean;
}

/** A point of a chart: raw readings, or an hourly aggregate where raw ones were downsampled. */
export interface StationSeriesPoint {
  at: string;
  value: number;
}

export interface StationSeries {
  stationId: string;
  from: string;
  to: string;
  points: StationSeriesPoint[];
}

/** What the command map shows of a station. */
export interface StationStateView {
  stationId: string;
  name: string;
  kind: StationKind;
  lat: number;
  lon: number;
  townshipId: string;
  /** The colour its thresholds give now; null: below blue. */
  level: WarningColour | null;
  offline: boolean;
  lastAt: string | null;
  lastValue: number | null;
  /** Rain: rainfall over the windows (mm); displacement: `h24` the change in 24 h. */
  accumulated: Partial<Record<RainWindow, number>>;
  /** The draft (or issued) warning its thresholds raised, if any. */
  warningId: string | null;
}

export interface IngestResult {
  stored: number;
  /** Already stored (same station and time): accepted again, not stored twice. */
  duplicates: number;
  /** Stored but flagged: the station's clock differs from ours by more than the tolerance. */
  skewed: number;
}

/** One spreadsheet row of a station import: what it does, or why it is refused. */
export interface StationImportRow {
  row: number;
  id: string;
  action: 'create' | 'update' | 'refused';
  errors: string[];
}

export interface StationImportReport {
  rows: StationImportRow[];
  committed: boolean;
  /** New stations' tokens (commit only): shown once. */
  tokens: { id: string; token: string }[];
}

/** To staff consoles. */
export interface StationServerEvents {
  /** A station's level or offline flag changed (the map recolours it; offline and raised levels alarm the desk). */
  'station:updated': (state: StationStateView) => void;
}
