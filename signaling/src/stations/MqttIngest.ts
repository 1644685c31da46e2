/**
 * Beacon's subscriber on its own mosquitto (the `mqtt` package): every station's readings topic in, one batch per
 * message, into the same StationMonitor the HTTP ingest feeds. The broker has authenticated the station and its
 * ACL lets a station publish only on its own topic, so the topic names the station.
 *
 * Payload: `{ "readings": [{ "at": …, "value": … }, …], "sentAt"?: … }` or one reading `{ "at": …, "value": … }`.
 * A refused message is answered on the station's errors topic with the coded error (`{ code, message, field }`),
 * since MQTT has no reply of its own; nothing of it is stored.
 */
import { BeaconError } from '@beacon/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { createLogger } from '../logger.ts';
import { errorsTopic, INGEST_USER, READINGS_TOPIC } from './MosquittoConfig.ts';
import type { StationMonitor } from './StationMonitor.ts';

const logger = createLogger('MqttIngest');
const TOPIC = /^beacon\/stations\/([A-Za-z0-9_-]{1,40})\/readings$/;

export interface MqttIngestOptions {
  /** `mqtt://127.0.0.1:<port>` of Beacon's mosquitto. */
  url: string;
  password: string;
  monitor: StationMonitor;
}

export class MqttIngest {
  readonly #opts: MqttIngestOptions;
  #client: MqttClient | null = null;

  constructor(opts: MqttIngestOptions) {
    this.#opts = opts;
  }

  async start(): Promise<void> {
    const client = await connectAsync(this.#opts.url, {
      username: INGEST_USER,
      password: this.#opts.password,
      clientId: `beacon-ingest-${process.pid}`,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.#client = client;
    client.on('message', (topic, payload) => this.#message(topic, payload));
    client.on('error', (err) => logger.warn({ err }, 'mqtt client error'));
    // A restarted broker forgets subscriptions (no persistence): subscribe again on each connect.
    client.on('connect', () => void client.subscribeAsync(READINGS_TOPIC, { qos: 1 }).catch(() => undefined));
    await client.subscribeAsync(READINGS_TOPIC, { qos: 1 });
    logger.info({ topic: READINGS_TOPIC }, 'mqtt ingest subscribed');
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.endAsync();
  }

  #message(topic: string, payload: Buffer): void {
    const stationId = TOPIC.exec(topic)?.[1];
    if (!stationId) return;
    let batch: { readings: unknown[]; sentAt?: unknown };
    try {
      batch = parsePayload(payload);
    } catch (err) {
      this.#refuse(stationId, err);
      return;
    }
    this.#opts.monitor
      .ingest(stationId, batch.readings as { at?: unknown; value?: unknown }[], batch.sentAt)
      .catch((err: unknown) => this.#refuse(stationId, err));
  }

  #refuse(stationId: string, err: unknown): void {
    if (!(err instanceof BeaconError)) {
      logger.error({ err, stationId }, 'mqtt reading not stored');
      return;
    }
    logger.debug({ stationId, code: err.code }, 'mqtt reading refused');
    this.#client?.publish(errorsTopic(stationId), JSON.stringify(err.toBody()), { qos: 0 });
  }
}

/** A batch or a single reading; `reading_invalid` for anything else. */
export function parsePayload(payload: Buffer): { readings: unknown[]; sentAt?: unknown } {
  let data: unknown;
  try {
    data = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new BeaconError('reading_invalid', 'payload is not JSON; nothing stored');
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const o = data as Record<string, unknown>;
    if (Array.isArray(o.readings) && o.readings.length > 0 && o.readings.length <= 1000) {
      if (o.readings.every((r) => typeof r === 'object' && r !== null))
        return { readings: o.readings, sentAt: o.sentAt };
    } else if ('value' in o && 'at' in o) {
      return { readings: [o] };
    }
  }
  throw new BeaconError('reading_invalid', 'payload is neither { readings: [...] } nor { at, value }; nothing stored');
}
