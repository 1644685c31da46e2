/**
 * MQTT ingest through a real mosquitto (Debian's, started by StationService) and the `mqtt` package as the
 * station: readings published with the station's token are stored; a wrong password, another station's topic,
 * a 10 MB payload and a non-numeric reading store nothing, and the broker keeps serving. Skipped where
 * mosquitto is not installed (scripts/setup.sh installs it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePortBlock } from '@beacon/common/test-ports';
import type { CreateStationRequest } from '@beacon/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandBus, SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/openStore.ts';
import { errorsTopic, readingsTopic } from './MosquittoConfig.ts';
import { MosquittoProcess } from './MosquittoProcess.ts';
import { StationService } from './StationService.ts';

const station = (id: string): CreateStationRequest => ({
  id,
  name: id,
  kind: 'water_level',
  lat: 25.03,
  lon: 101.55,
  townshipId: 'lucheng',
  ownerTownshipId: null,
  ownerDepartmentId: 'dp-sw',
  thresholds: { value: { yellow: 1821, red: 1822.5 } },
  warningLevel: 1821,
  guaranteedLevel: 1822.5,
  intervalSeconds: 300,
  alertRadiusKm: 3,
});

const waitUntil = async (check: () => Promise<boolean> | boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(MosquittoProcess.binary() === null)('MQTT ingest through mosquitto', () => {
  let dir: string;
  let store: Store;
  let service: StationService;
  let port: number;
  let tokens: Record<string, string>;
  const clients: MqttClient[] = [];
  const connect = async (username: string, password: string) => {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { username, password, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  const stored = async (id: string) => (await store.readings.windows(id, Date.now() + 60_000)).last?.value ?? null;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-mqtt-'));
    store = await openStore({ file: path.join(dir, 'beacon.db'), seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    port = await freePortBlock();
    service = new StationService({
      bus,
      warnings: new WarningDesk(bus),
      options: {
        dataDir: dir,
        rawDays: 30,
        hourlyDays: 365,
        tickMs: 60_000,
        mqtt: { port, host: '127.0.0.1', maxPacketBytes: 64 * 1024, tls: null },
      },
    });
    await service.start();
    tokens = {};
    for (const id of ['WL-a', 'WL-b']) tokens[id] = (await service.create(station(id), SYSTEM_ACTOR)).token;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await service.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores what a station publishes with its token, and tells it why a reading was refused', async () => {
    const a = await connect('WL-a', tokens['WL-a'] as string);
    const errors: unknown[] = [];
    await a.subscribeAsync(errorsTopic('WL-a'));
    a.on('message', (_topic, payload) => errors.push(JSON.parse(payload.toString())));
    await a.publishAsync(readingsTopic('WL-a'), JSON.stringify({ readings: [{ at: Date.now(), value: 1820.4 }] }), {
      qos: 1,
    });
    await waitUntil(async () => (await stored('WL-a')) === 1820.4);
    await a.publishAsync(readingsTopic('WL-a'), JSON.stringify({ at: Date.now() + 1000, value: 'high' }), { qos: 1 });
    await waitUntil(() => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: 'reading_invalid', field: 'readings[0].value' });
    expect(await stored('WL-a')).toBe(1820.4);
  });

  it('refuses a wrong password and a station writing on another station’s topic', async () => {
    await expect(connect('WL-a', 'not-the-token')).rejects.toThrow(/authori[sz]ed/i);
    const b = await connect('WL-b', tokens['WL-b'] as string);
    await b.publishAsync(readingsTopic('WL-a'), JSON.stringify({ at: Date.now(), value: 1899 }), { qos: 1 });
    // Its own reading afterwards arrives; the forged one (published first) was dropped by the ACL.
    await b.publishAsync(readingsTopic('WL-b'), JSON.stringify({ at: Date.now(), value: 1819 }), { qos: 1 });
    await waitUntil(async () => (await stored('WL-b')) === 1819);
    expect(await stored('WL-a')).toBeNull();
  });

  it('drops a client sending a 10 MB payload, stores nothing of it, and keeps serving the others', async () => {
    const a = await connect('WL-a', tokens['WL-a'] as string);
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    const huge = JSON.stringify({ at: Date.now(), value: 1, pad: 'x'.repeat(10 * 1024 * 1024) });
    a.publish(readingsTopic('WL-a'), huge, { qos: 0 });
    await closed;
    const b = await connect('WL-b', tokens['WL-b'] as string);
    await b.publishAsync(readingsTopic('WL-b'), JSON.stringify({ at: Date.now(), value: 1818 }), { qos: 1 });
    await waitUntil(async () => (await stored('WL-b')) === 1818);
    expect(await stored('WL-a')).toBeNull();
  });

  it('refuses the old token once a new one is issued', async () => {
    const renewed = await service.renewToken('WL-a', SYSTEM_ACTOR);
    await expect(connect('WL-a', tokens['WL-a'] as string)).rejects.toThrow(/authori[sz]ed/i);
    const a = await connect('WL-a', renewed.token);
    expect(a.connected).toBe(true);
  });
});
