/** Options of the monitoring stations (config BEACON_MQTT*, BEACON_STATION_*). */
export interface StationOptions {
  /** Beacon's data dir: mosquitto's files go under `<dataDir>/mqtt`. */
  dataDir: string;
  /** Raw readings are kept this many days, then folded into hourly aggregates (default 30). */
  rawDays: number;
  /** Hourly aggregates are kept this many days (default 1825, five years: flood seasons are compared by year). */
  hourlyDays: number;
  /** How often silent stations and old readings are looked for (default 15 s). */
  tickMs: number;
  /** Start mosquitto and subscribe (BEACON_MQTT=on); null: HTTP ingest only (default). */
  mqtt: { port: number; host: string | null; maxPacketBytes: number } | null;
}

export const DEFAULT_STATION_OPTIONS: Omit<StationOptions, 'dataDir'> = {
  rawDays: 30,
  hourlyDays: 1825,
  tickMs: 15_000,
  mqtt: null,
};
