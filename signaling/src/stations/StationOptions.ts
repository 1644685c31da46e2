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
  mqtt: MqttOptions | null;
}

export interface MqttOptions {
  /** Plain MQTT (BEACON_MQTT_PORT, default 1883): Beacon's own subscriber. */
  port: number;
  /** Its address (BEACON_MQTT_HOST, default 127.0.0.1; anything else offers plain MQTT to the network). */
  host: string | null;
  /** BEACON_MQTT_MAX_PACKET_KB (default 64 KiB). */
  maxPacketBytes: number;
  /** MQTT over TLS for the stations (BEACON_MQTT_TLS_PORT, default 8883); null: off. */
  tls: MqttTlsOptions | null;
}

export interface MqttTlsOptions {
  port: number;
  /** BEACON_MQTT_TLS_HOST; null (default): every interface. */
  host: string | null;
  /** BEACON_MQTT_CLIENT_CERT=on: a station must also show a client certificate of Beacon's CA (default off). */
  requireClientCert: boolean;
  /** BEACON_TLS_CA_PERMIT, for a CA created here (see CertificateAuthority.ts). */
  caPermitted: readonly string[];
}

export const DEFAULT_STATION_OPTIONS: Omit<StationOptions, 'dataDir'> = {
  rawDays: 30,
  hourlyDays: 1825,
  tickMs: 15_000,
  mqtt: null,
};
