/**
 * A station's change and its audit entry commit together (both backends): with the entry refused (a trigger
 * aborts its insert), a threshold crossing drafts no warning and raises none, silence marks no station offline
 * and a reading none online again, and an admin's new station, new token and import store nothing; with entries
 * written again the same events go through, each with its entry.
 */
import type { CreateStationRequest } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { CommandBus, SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { StationService } from './StationService.ts';
import { importStations } from './stationImport.ts';
import { newStationToken, tokenMatches } from './stationTokens.ts';

const MIN = 60_000;
const GAUGE: CreateStationRequest = {
  id: 'RG-zixi-01',
  name: '紫溪雨量站',
  kind: 'rain',
  lat: 25.0,
  lon: 101.42,
  townshipId: 'zixi',
  ownerTownshipId: 'zixi',
  ownerDepartmentId: null,
  thresholds: { rain: { blue: { h1: 20 }, yellow: { h3: 50 }, orange: { h3: 80 }, red: { h3: 120 } } },
  warningLevel: null,
  guaranteedLevel: null,
  intervalSeconds: 300,
  alertRadiusKm: 5,
};

describeStoreBackends((env) => {
  let store: Store;
  let service: StationService;
  const now = Date.now();
  /** `n` readings of `mm` each, every 15 minutes, ending at `end`. */
  const showers = (n: number, mm: number, end = now) =>
    Array.from({ length: n }, (_, i) => ({ at: new Date(end - i * 15 * MIN).toISOString(), value: mm }));
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    await store.stations.create({ ...GAUGE, ...newStationToken().secrets });
    const bus = new CommandBus(store);
    service = new StationService({
      bus,
      warnings: new WarningDesk(bus),
      options: { dataDir: env.location().file, rawDays: 30, hourlyDays: 365, tickMs: 3_600_000, mqtt: null },
    });
    await service.monitor.load();
  });
  const count = async (action: string) =>
    (await store.audit.list({ limit: 1000 })).filter((e) => e.action === action).length;
  const colours = async () => (await store.warnings.list()).map((w) => w.colour);

  it('drafts or raises no warning whose crossing could not be audited', async () => {
    const refused = await refuseAudit(env, ['station.threshold']);
    await expect(service.monitor.ingest(GAUGE.id, showers(6, 9, now - 60 * MIN))).rejects.toThrow(/audit refused/);
    expect(await store.warnings.list()).toEqual([]);
    expect(await count('warning.create')).toBe(0);
    await refused.allow();
    await service.monitor.ingest(GAUGE.id, showers(1, 0, now - 20 * MIN));
    expect(await colours()).toEqual(['yellow']);

    const raise = await refuseAudit(env, ['station.threshold']);
    await expect(service.monitor.ingest(GAUGE.id, showers(4, 8, now))).rejects.toThrow(/audit refused/);
    expect(await colours()).toEqual(['yellow']);
    await raise.allow();
    // Stored by the refused batch, the readings count once the next one is evaluated (the newest decides "now").
    await service.monitor.ingest(GAUGE.id, showers(1, 0, now + 5 * MIN), undefined, now + 6 * MIN);
    expect(await colours()).toEqual(['orange']);
    expect(await count('station.threshold')).toBe(2);
  });

  it('marks no station offline, or online again, without its entry', async () => {
    const { monitor } = service;
    await monitor.ingest(GAUGE.id, showers(1, 0), undefined, now);
    const offline = await refuseAudit(env, ['station.offline']);
    await expect(monitor.checkSilence(now + 11 * MIN)).rejects.toThrow(/audit refused/);
    expect((await store.readings.state(GAUGE.id))?.offline).toBe(false);
    expect(monitor.views()[0]?.offline).toBe(false);
    await offline.allow();
    expect(await monitor.checkSilence(now + 11 * MIN)).toEqual([GAUGE.id]);

    const online = await refuseAudit(env, ['station.online']);
    const back = showers(1, 0, now + 12 * MIN);
    await expect(monitor.ingest(GAUGE.id, back, undefined, now + 12 * MIN)).rejects.toThrow(/audit refused/);
    expect((await store.readings.state(GAUGE.id))?.offline).toBe(true);
    await online.allow();
    await monitor.ingest(GAUGE.id, showers(1, 0, now + 13 * MIN), undefined, now + 13 * MIN);
    expect((await store.readings.state(GAUGE.id))?.offline).toBe(false);
    expect([await count('station.offline'), await count('station.online')]).toEqual([1, 1]);
  });

  it("stores no admin's new station, token or import whose entry was refused", async () => {
    const refused = await refuseAudit(env, ['admin.station.create', 'admin.station.token', 'admin.station.import']);
    await expect(service.create({ ...GAUGE, id: 'RG-zixi-02' }, SYSTEM_ACTOR)).rejects.toThrow(/audit refused/);
    expect(await store.stations.get('RG-zixi-02')).toBeUndefined();
    const before = await store.stations.tokenHash(GAUGE.id);
    await expect(service.renewToken(GAUGE.id, SYSTEM_ACTOR)).rejects.toThrow(/audit refused/);
    expect(await store.stations.tokenHash(GAUGE.id)).toBe(before);
    const table = {
      header: ['站点编号', '名称', '类型', '纬度', '经度', '所在乡镇', '上报间隔秒', '预警半径公里', '蓝色1小时'],
      rows: [{ row: 2, cells: ['RG-zixi-03', '紫溪三号站', '雨量站', '25', '101.4', '紫溪镇', '300', '5', '20'] }],
    };
    const audit = {
      actor: { actorId: 'u-admin', role: 'admin' },
      entry: () => ({ action: 'admin.station.import', target: 'stations.xlsx' }),
    };
    await expect(importStations(store, table, true, audit)).rejects.toThrow(/audit refused/);
    expect(await store.stations.get('RG-zixi-03')).toBeUndefined();

    await refused.allow();
    const renewed = await service.renewToken(GAUGE.id, SYSTEM_ACTOR);
    expect(tokenMatches(renewed.token, (await store.stations.tokenHash(GAUGE.id)) as string)).toBe(true);
    expect((await importStations(store, table, true, audit)).committed).toBe(true);
    expect([await count('admin.station.token'), await count('admin.station.import')]).toEqual([1, 1]);
  });
});
