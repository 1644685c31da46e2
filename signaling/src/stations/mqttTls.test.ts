/**
 * MQTT over TLS through a real mosquitto (Debian's, started by StationService) with the `mqtt` package as the
 * station in the field: over mqtts with Beacon's CA its reading is stored; a station that does not trust the
 * CA cannot connect; plain MQTT is offered on loopback only (Beacon's own subscriber), so from the machine's
 * network address it is refused, and the TLS port does not speak plain MQTT. With client certificates
 * required, a station without one is refused and one with a certificate of Beacon's CA gets in. A renewed
 * certificate is served to the next handshake without restarting the broker.
 * Skipped where mosquitto is not installed (scripts/setup.sh installs it).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { freePortBlock } from '@beacon/common/test-ports';
import type { CreateStationRequest } from '@beacon/protocol';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandBus, SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/openStore.ts';
import { issueStationCertificate } from '../tls/mqttCertificate.ts';
import { readingsTopic } from './MosquittoConfig.ts';
import { MosquittoProcess } from './MosquittoProcess.ts';
import type { MqttTlsOptions } from './StationOptions.ts';
import { StationService } from './StationService.ts';

/** This machine's first non-loopback IPv4 address: where a station in the field reaches it. */
const lanAddress =
  Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address ?? null;

const station: CreateStationRequest = {
  id: 'RG-tls',
  name: '雨量站',
  kind: 'rain',
  lat: 25.03,
  lon: 101.55,
  townshipId: 'lucheng',
  ownerTownshipId: null,
  ownerDepartmentId: 'dp-sw',
  thresholds: { rain: { yellow: { h1: 50 } } },
  warningLevel: null,
  guaranteedLevel: null,
  intervalSeconds: 300,
  alertRadiusKm: 3,
};

const waitUntil = async (check: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The serial number of the certificate the TLS port presents now. */
const servedSerial = (host: string, port: number, ca: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.once('error', reject);
  });

describe.skipIf(MosquittoProcess.binary() === null || lanAddress === null)('MQTT over TLS through mosquitto', () => {
  const host = lanAddress as string;
  let dir = '';
  let store: Store | undefined;
  let service: StationService | undefined;
  const clients: MqttClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await service?.stop();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(requireClientCert: boolean) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'beacon-mqtts-'));
    store = await openStore({ file: path.join(dir, 'beacon.db'), seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    const plainPort = await freePortBlock(2);
    const tls: MqttTlsOptions = { port: plainPort + 1, host: null, requireClientCert, caPermitted: [] };
    service = new StationService({
      bus,
      warnings: new WarningDesk(bus),
      options: {
        dataDir: dir,
        rawDays: 30,
        hourlyDays: 365,
        tickMs: 60_000,
        mqtt: { port: plainPort, host: '127.0.0.1', maxPacketBytes: 64 * 1024, tls },
      },
      certificateNames: ['localhost', '127.0.0.1', host],
    });
    await service.start();
    expect(service.mqttTlsPort).toBe(tls.port);
    const { token } = await service.create(station, SYSTEM_ACTOR);
    const ca = readFileSync(path.join(dir, 'tls', 'ca.crt'), 'utf8');
    return { plainPort, tls, token, ca };
  }

  const connect = async (url: string, opts: IClientOptions) => {
    const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
    clients.push(client);
    return client;
  };
  const stored = async () => (await store?.readings.windows(station.id, Date.now() + 60_000))?.last?.value ?? null;

  it('stores a reading published over mqtts with Beacon’s CA; refuses untrusted TLS and plain MQTT from afar', async () => {
    const { plainPort, tls, token, ca } = await start(false);
    const gauge = await connect(`mqtts://${host}:${tls.port}`, { username: station.id, password: token, ca });
    await gauge.publishAsync(readingsTopic(station.id), JSON.stringify({ at: Date.now(), value: 3.5 }), { qos: 1 });
    await waitUntil(async () => (await stored()) === 3.5);

    // A station that does not trust Beacon's CA gets no connection (the system's trust store is all it has).
    await expect(connect(`mqtts://${host}:${tls.port}`, { username: station.id, password: token })).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );
    // Over TLS the password is still checked.
    await expect(
      connect(`mqtts://${host}:${tls.port}`, { username: station.id, password: 'not-the-token', ca }),
    ).rejects.toThrow(/authori[sz]ed/i);
    // Plain MQTT is not offered to the network: the plain port listens on loopback only…
    await expect(connect(`mqtt://${host}:${plainPort}`, { username: station.id, password: token })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    // …and the TLS port does not answer plain MQTT.
    await expect(
      connect(`mqtt://${host}:${tls.port}`, { username: station.id, password: token, connectTimeout: 5000 }),
    ).rejects.toThrow(/ECONNRESET|closed|timeout/i);
    expect(await stored()).toBe(3.5);
  }, 60_000);

  it('serves a renewed certificate to the next handshake without a restart', async () => {
    const { tls, token, ca } = await start(false);
    const before = await servedSerial(host, tls.port, ca);
    const pidFile = path.join(dir, 'mqtt', 'mosquitto.pid');
    const pid = readFileSync(pidFile, 'utf8');
    // 380 days on, the 397-day certificate is within its last 30 days.
    expect(await service?.renewCertificate(tls, new Date(Date.now() + 380 * 86_400_000))).toBe(true);
    await waitUntil(async () => (await servedSerial(host, tls.port, ca)) !== before);
    expect(readFileSync(pidFile, 'utf8')).toBe(pid);
    const gauge = await connect(`mqtts://${host}:${tls.port}`, { username: station.id, password: token, ca });
    expect(gauge.connected).toBe(true);
  }, 60_000);

  it('with client certificates required, refuses a station without one and takes one of Beacon’s CA', async () => {
    const { tls, token, ca } = await start(true);
    await expect(
      connect(`mqtts://${host}:${tls.port}`, { username: station.id, password: token, ca, connectTimeout: 5000 }),
    ).rejects.toThrow(/certificate required|0A00045C/i);
    const issued = await issueStationCertificate({
      dir: path.join(dir, 'tls'),
      stationId: station.id,
      outDir: path.join(dir, 'station'),
    });
    const gauge = await connect(`mqtts://${host}:${tls.port}`, {
      username: station.id,
      password: token,
      ca: readFileSync(issued.caPath, 'utf8'),
      cert: readFileSync(issued.certPath, 'utf8'),
      key: readFileSync(issued.keyPath, 'utf8'),
    });
    await gauge.publishAsync(readingsTopic(station.id), JSON.stringify({ at: Date.now(), value: 1.5 }), { qos: 1 });
    await waitUntil(async () => (await stored()) === 1.5);
  }, 60_000);
});
