/**
 * Monitoring stations of one node: the registry an admin keeps (each change re-read by the monitor and written
 * into the broker's password file; the routes audit it), the monitor readings go through, mosquitto and Beacon's subscriber on it
 * (BEACON_MQTT=on), and a ticker that notices silent stations and folds old readings into hourly aggregates.
 * Stations reach mosquitto over TLS with a certificate of Beacon's CA, checked twice a day and re-issued
 * before it expires (mosquitto re-reads it on SIGHUP); Beacon's subscriber uses the loopback plain listener.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isLoopbackHost } from '@beacon/common';
import type { CreateStationRequest, StationView, StationWithToken } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import type { WarningDesk } from '../command/WarningDesk.ts';
import { createLogger } from '../logger.ts';
import { isWildcard } from '../net/addresses.ts';
import { ensureMqttCertificate } from '../tls/mqttCertificate.ts';
import { INGEST_USER, type MosquittoTlsListener } from './MosquittoConfig.ts';
import { MosquittoProcess } from './MosquittoProcess.ts';
import { MqttIngest } from './MqttIngest.ts';
import { StationDrafts } from './StationDrafts.ts';
import { StationMonitor } from './StationMonitor.ts';
import type { MqttOptions, MqttTlsOptions, StationOptions } from './StationOptions.ts';
import { mosquittoHash, newStationToken } from './stationTokens.ts';

const logger = createLogger('StationService');
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** How often the broker's certificate is checked for renewal. */
const CERTIFICATE_CHECK_MS = 12 * HOUR_MS;

export class StationService {
  readonly monitor: StationMonitor;
  readonly #bus: CommandBus;
  readonly #opts: StationOptions;
  readonly #certificateNames: readonly string[];
  #broker: MosquittoProcess | null = null;
  #ingest: MqttIngest | null = null;
  #timer: NodeJS.Timeout | null = null;
  #certificateTimer: NodeJS.Timeout | null = null;
  #ticking = false;
  /** 0: the first tick downsamples (a node that was down a while catches up at once). */
  #downsampledAt = 0;

  /**
   * `certificateNames`: the names and addresses the MQTT broker's TLS certificate covers (the HTTPS
   * certificate's, net/addresses.ts); default localhost and 127.0.0.1.
   */
  constructor(opts: {
    bus: CommandBus;
    warnings: WarningDesk;
    options: StationOptions;
    certificateNames?: readonly string[];
  }) {
    this.#bus = opts.bus;
    this.#opts = opts.options;
    this.#certificateNames = opts.certificateNames ?? ['localhost', '127.0.0.1'];
    this.monitor = new StationMonitor({
      bus: opts.bus,
      drafts: new StationDrafts(opts.bus, opts.warnings),
      check: { maxAgeMs: opts.options.rawDays * DAY_MS },
    });
  }

  /** The plain MQTT port (loopback unless configured otherwise); null without MQTT. */
  get mqttPort(): number | null {
    return this.#broker?.config.port ?? null;
  }

  /** The MQTT-over-TLS port stations connect to; null without it. */
  get mqttTlsPort(): number | null {
    return this.#broker?.config.tls?.port ?? null;
  }

  async start(): Promise<void> {
    await this.monitor.load();
    const { mqtt } = this.#opts;
    if (mqtt) await this.#startMqtt(mqtt);
    this.#timer = setInterval(() => void this.tick(), this.#opts.tickMs);
    this.#timer.unref();
  }

  async #startMqtt(mqtt: MqttOptions): Promise<void> {
    // Beacon's own password changes at every start: it lives only in this process and the hashed file.
    const password = randomBytes(24).toString('base64url');
    const ownHash = mosquittoHash(password);
    try {
      this.#broker = new MosquittoProcess({
        dataDir: this.#opts.dataDir,
        port: mqtt.port,
        host: mqtt.host,
        tls: mqtt.tls ? await this.#tlsListener(mqtt.tls) : null,
        maxPacketBytes: mqtt.maxPacketBytes,
        credentials: async () => [
          { user: INGEST_USER, hash: ownHash },
          ...(await this.#bus.store.stations.mqttCredentials()).map((c) => ({ user: c.id, hash: c.mqttHash })),
        ],
      });
      if (mqtt.host && !isLoopbackHost(mqtt.host)) {
        logger.warn({ host: mqtt.host, port: mqtt.port }, 'plain MQTT offered beyond loopback: passwords in clear');
      }
      await this.#broker.start();
      const host =
        !mqtt.host || isWildcard(mqtt.host) ? '127.0.0.1' : mqtt.host.includes(':') ? `[${mqtt.host}]` : mqtt.host;
      this.#ingest = new MqttIngest({ url: `mqtt://${host}:${mqtt.port}`, password, monitor: this.monitor });
      await this.#ingest.start();
    } catch (err) {
      // Like TURN: the node serves without it (HTTP ingest still works); silent MQTT stations go offline
      // on the map, which is how the desk notices.
      logger.error({ err }, 'MQTT ingest not available');
      await this.#ingest?.stop().catch(() => undefined);
      await this.#broker?.stop();
      this.#broker = null;
      this.#ingest = null;
      return;
    }
    const { tls } = mqtt;
    if (tls) {
      this.#certificateTimer = setInterval(() => void this.renewCertificate(tls), CERTIFICATE_CHECK_MS);
      this.#certificateTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#certificateTimer) clearInterval(this.#certificateTimer);
    await this.#ingest?.stop();
    await this.#broker?.stop();
  }

  /**
   * A new broker certificate when the current one nears expiry (or the names changed): mosquitto re-reads it
   * on SIGHUP, new handshakes get it. A failure is logged; the current one is served until the next check.
   */
  async renewCertificate(tls: MqttTlsOptions, now = new Date()): Promise<boolean> {
    try {
      const certificate = await ensureMqttCertificate({
        dir: path.join(this.#opts.dataDir, 'tls'),
        names: this.#certificateNames,
        permitted: tls.caPermitted,
        now,
      });
      if (!certificate.issued) return false;
      await this.#broker?.reload();
      logger.info({ notAfter: certificate.notAfter }, 'renewed MQTT certificate installed');
      return true;
    } catch (err) {
      logger.error({ err }, 'MQTT certificate renewal failed');
      return false;
    }
  }

  async #tlsListener(tls: MqttTlsOptions): Promise<MosquittoTlsListener> {
    const certificate = await ensureMqttCertificate({
      dir: path.join(this.#opts.dataDir, 'tls'),
      names: this.#certificateNames,
      permitted: tls.caPermitted,
    });
    return {
      port: tls.port,
      host: tls.host,
      caPath: certificate.caPath,
      certPath: certificate.certPath,
      keyPath: certificate.keyPath,
      requireClientCert: tls.requireClientCert,
    };
  }

  /** Offline stations every tick; downsampling once an hour (hours are what it folds). Failures are logged. */
  async tick(nowMs = Date.now()): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      await this.monitor.checkSilence(nowMs);
      if (nowMs - this.#downsampledAt >= HOUR_MS) {
        this.#downsampledAt = nowMs;
        let folded = 0;
        for (const station of await this.#bus.store.stations.list()) {
          folded += await this.#bus.store.readings.downsample(
            station.id,
            nowMs - this.#opts.rawDays * DAY_MS,
            nowMs - this.#opts.hourlyDays * DAY_MS,
          );
        }
        if (folded > 0) logger.info({ folded }, 'station readings folded into hourly aggregates');
      }
    } catch (err) {
      logger.error({ err }, 'station tick failed');
    } finally {
      this.#ticking = false;
    }
  }

  async get(id: string): Promise<StationView> {
    const station = await this.#bus.store.stations.get(id);
    if (!station) throw BeaconError.notFound('station');
    return station;
  }

  /** A new station with its token (shown once); `conflict` for a taken id. Audited as `by`'s, in its transaction. */
  async create(input: CreateStationRequest, by: Actor): Promise<StationWithToken> {
    const { token, secrets } = newStationToken();
    const station = await this.#bus.audited(
      by,
      (tx) => tx.stations.create({ ...input, ...secrets }),
      (after) => ({ action: 'admin.station.create', target: after.id, detail: { after } }),
    );
    await this.registryChanged();
    return { station, token };
  }

  /** A new token: the old one stops working at once over HTTP; MQTT logins with it are refused from now on. */
  async renewToken(id: string, by: Actor): Promise<StationWithToken> {
    const station = await this.get(id);
    const { token, secrets } = newStationToken();
    await this.#bus.audited(
      by,
      (tx) => tx.stations.setSecrets(id, secrets),
      () => ({ action: 'admin.station.token', target: id, detail: {} }),
    );
    await this.registryChanged();
    return { station, token };
  }

  /** The registry changed: the monitor and the broker's password file follow. */
  async registryChanged(): Promise<void> {
    await this.monitor.load();
    await this.#broker?.reload();
  }
}
