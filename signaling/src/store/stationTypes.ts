/** Types of the monitoring stations' store: the registry, the readings time series and each station's state. */
import type {
  CapSeverity,
  CreateStationRequest,
  RainWindow,
  StationView,
  UpdateStationRequest,
  WarningColour,
} from '@beacon/protocol';
import type { AdminKind, Change } from './orgTypes.ts';

/** The secrets of a station as stored: never the token itself. */
export interface StationSecrets {
  /** SHA-256 (hex) of the token: the HTTP ingest compares it (a random 32-byte token needs no slow hash). */
  tokenHash: string;
  /** The token hashed the way mosquitto's password file wants it (PBKDF2-SHA512, `$7$…`). */
  mqttHash: string;
}

export interface StationRepository extends AdminKind<StationView, UpdateStationRequest> {
  /** Every station, enabled or not, in creation order. */
  list(): Promise<StationView[]>;
  /** `conflict` (field `id`) for a taken id; `bad_request` for an unknown township or department. */
  create(input: CreateStationRequest & StationSecrets): Promise<StationView>;
  setSecrets(id: string, secrets: StationSecrets): Promise<void>;
  /** The token hash of an enabled station, undefined for an unknown or disabled one. */
  tokenHash(id: string): Promise<string | undefined>;
  /** User names and password hashes for mosquitto's password file: the enabled stations. */
  mqttCredentials(): Promise<{ id: string; mqttHash: string }[]>;
  /**
   * Raises a draft warning a station's thresholds created (a higher colour, new text): only while it is still a
   * draft. False when it was issued or cancelled meanwhile (the caller drafts anew).
   */
  raiseDraft(warningId: string, patch: DraftRaise): Promise<boolean>;
}

export interface DraftRaise {
  colour: WarningColour;
  severity: CapSeverity;
  headline: string;
  description: string;
}

export interface NewReading {
  atMs: number;
  value: number;
  receivedMs: number;
  skewed: boolean;
}

/** What the thresholds are evaluated on, at one instant. */
export interface StationWindows {
  /** The sum of the values within each window (rain: mm); empty when there is no reading within 24 h. */
  accumulated: Partial<Record<RainWindow, number>>;
  /** Largest minus smallest value within 24 h (displacement); null without readings. */
  spread24h: number | null;
  /** The newest reading at or before the instant. */
  last: { atMs: number; value: number } | null;
}

export interface StationStateRecord {
  stationId: string;
  level: WarningColour | null;
  warningId: string | null;
  offline: boolean;
  lastAtMs: number | null;
  lastValue: number | null;
  /** When we last received anything from it (our clock). */
  lastHeardMs: number | null;
  accumulated: Partial<Record<RainWindow, number>>;
  changedAt: string;
}

export interface SeriesBucket {
  atMs: number;
  value: number;
}

export interface ReadingRepository {
  /** Stores the readings in one transaction; a reading already stored (same station and time) is skipped. */
  insert(stationId: string, readings: readonly NewReading[]): Promise<{ stored: number; duplicates: number }>;
  /** Several stations' batches in one transaction (one commit, one fsync): per batch, which readings were new. */
  insertMany(batches: readonly { stationId: string; readings: readonly NewReading[] }[]): Promise<boolean[][]>;
  /** A station's readings since `sinceMs` summed per minute (what the in-memory windows start from). */
  minuteBuckets(
    stationId: string,
    sinceMs: number,
  ): Promise<{ minuteMs: number; sum: number; max: number; min: number }[]>;
  /**
   * The accumulations over the windows ending at `untilMs`, summed from raw readings in SQL (what the monitor's
   * in-memory minute buckets give to the minute; reports and checks use this one).
   */
  windows(stationId: string, untilMs: number): Promise<StationWindows>;
  /**
   * Readings of [fromMs, toMs) in buckets of `bucketMs` (a divisor of an hour or whole hours): the sum or the
   * maximum per bucket, from the raw readings and, where those were downsampled, from the hourly aggregates.
   */
  series(
    stationId: string,
    fromMs: number,
    toMs: number,
    bucketMs: number,
    agg: 'sum' | 'max',
  ): Promise<SeriesBucket[]>;
  /**
   * Folds a station's raw readings older than `rawBeforeMs` into hourly aggregates and deletes them; deletes its
   * aggregates older than `hourlyBeforeMs`. Returns how many raw readings were folded. One station at a time:
   * each statement is a range of the (station, time) key, never a scan of every station's history.
   */
  downsample(stationId: string, rawBeforeMs: number, hourlyBeforeMs: number): Promise<number>;
  state(stationId: string): Promise<StationStateRecord | undefined>;
  states(): Promise<StationStateRecord[]>;
  saveState(state: StationStateRecord): Promise<void>;
  /** Several states in one transaction. */
  saveStates(states: readonly StationStateRecord[]): Promise<void>;
}

export type { Change };
