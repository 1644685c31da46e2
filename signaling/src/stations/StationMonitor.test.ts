/**
 * The monitor on a real store (both backends): readings accumulate over sliding windows whatever order they
 * arrive in, a resent reading is stored once, a bad batch stores nothing, a crossing drafts a warning (never
 * issues it) audited as the system's with the readings, a higher colour raises that draft, silence → offline;
 * old readings are folded into hourly aggregates the chart still reads.
 */
import { BeaconError, type CreateStationRequest } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { StationDrafts } from './StationDrafts.ts';
import { StationMonitor } from './StationMonitor.ts';
import { newStationToken } from './stationTokens.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
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

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BeaconError);
  return (err as BeaconError).code;
}

describeStoreBackends((env) => {
  let store: Store;
  let monitor: StationMonitor;
  const now = Date.now();
  /** `n` readings of `mm` each, every 15 minutes, ending at `end`. */
  const showers = (n: number, mm: number, end = now) =>
    Array.from({ length: n }, (_, i) => ({ at: new Date(end - i * 15 * MIN).toISOString(), value: mm }));

  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    await store.stations.create({ ...GAUGE, ...newStationToken().secrets });
    const bus = new CommandBus(store);
    monitor = new StationMonitor({ bus, drafts: new StationDrafts(bus, new WarningDesk(bus)) });
    await monitor.load();
  });

  it('sums rainfall over sliding windows whatever the order, storing a resent reading once', async () => {
    const readings = showers(8, 6);
    // Newest half first, then the older half, then all of it again (a logger retrying).
    expect(await monitor.ingest(GAUGE.id, readings.slice(0, 4))).toEqual({ stored: 4, duplicates: 0, skewed: 0 });
    await monitor.ingest(GAUGE.id, readings.slice(4).reverse());
    expect(await monitor.ingest(GAUGE.id, readings)).toEqual({ stored: 0, duplicates: 8, skewed: 0 });
    const windows = await store.readings.windows(GAUGE.id, now);
    // Within 1 h: the readings at 0, 15, 30, 45 minutes ago; the one at exactly 60 min is outside (a window is open at its start).
    expect(windows.accumulated).toMatchObject({ h1: 24, h3: 48, h6: 48, h24: 48 });
    const [state] = monitor.views();
    expect(state).toMatchObject({ stationId: GAUGE.id, level: 'blue', lastValue: 6, offline: false });
  });

  it('stores nothing of a batch with one bad reading, and refuses unknown stations', async () => {
    const bad = [...showers(3, 2), { at: new Date(now).toISOString(), value: 'heavy' }];
    expect(await codeOf(monitor.ingest(GAUGE.id, bad))).toBe('reading_invalid');
    expect(await codeOf(monitor.ingest(GAUGE.id, [{ at: now + 365 * 24 * HOUR, value: 1 }]))).toBe('reading_invalid');
    expect(await codeOf(monitor.ingest('RG-nowhere', showers(1, 1)))).toBe('station_unknown');
    expect((await store.readings.windows(GAUGE.id, now)).last).toBeNull();
  });

  it('drafts a yellow warning when 3 h rainfall passes 50 mm, raises it to orange, and never issues it', async () => {
    const events: string[] = [];
    monitor.on('state', (s) => events.push(`${s.level}`));
    await monitor.ingest(GAUGE.id, showers(6, 9, now - HOUR)); // 54 mm within 3 h
    const [yellow] = monitor.views();
    expect(yellow?.level).toBe('yellow');
    const draft = await store.warnings.get(yellow?.warningId as string);
    expect(draft).toMatchObject({ status: 'draft', colour: 'yellow', createdBy: 'system', issuedAt: null });
    expect(draft?.area).toEqual({ type: 'circle', center: [25.0, 101.42], radiusKm: 5 });
    expect(draft?.affectedTownshipIds).toContain('zixi');

    await monitor.ingest(GAUGE.id, showers(4, 8, now)); // +32 mm: 86 mm within 3 h
    const [orange] = monitor.views();
    expect(orange).toMatchObject({ level: 'orange', warningId: draft?.id });
    expect(await store.warnings.get(draft?.id as string)).toMatchObject({ status: 'draft', colour: 'orange' });
    expect((await store.warnings.list()).length).toBe(1);
    expect(events).toEqual(['yellow', 'orange']);

    const audit = (await store.audit.list()).filter((a) => a.action === 'station.threshold').reverse();
    expect(audit.map((a) => [a.actorId, (a.detail as { draft: string }).draft])).toEqual([
      ['system', 'created'],
      ['system', 'raised'],
    ]);
    const first = audit[0]?.detail as { readings: unknown[]; cause: unknown };
    expect(first.readings).toHaveLength(6);
    expect(first.cause).toEqual({ measure: 'h3', observed: 54, threshold: 50 });
  });

  it('drafts anew when its warning was issued and the level rises further', async () => {
    await monitor.ingest(GAUGE.id, showers(6, 9, now - HOUR));
    const first = monitor.views()[0]?.warningId as string;
    await store.warnings.issue(first, 'u-duty', new Date().toISOString());
    await monitor.ingest(GAUGE.id, showers(4, 8, now));
    const second = monitor.views()[0]?.warningId as string;
    expect(second).not.toBe(first);
    expect(await store.warnings.get(second)).toMatchObject({ status: 'draft', colour: 'orange' });
  });

  it('marks a station offline after two silent intervals, audited, and online with its next reading', async () => {
    await monitor.ingest(GAUGE.id, showers(1, 0), undefined, now);
    expect(await monitor.checkSilence(now + 9 * MIN)).toEqual([]);
    expect(await monitor.checkSilence(now + 11 * MIN)).toEqual([GAUGE.id]);
    expect(monitor.views()[0]?.offline).toBe(true);
    expect((await store.audit.list())[0]).toMatchObject({ action: 'station.offline', actorId: 'system' });
    await monitor.ingest(GAUGE.id, showers(1, 0, now + 12 * MIN), undefined, now + 12 * MIN);
    expect(monitor.views()[0]?.offline).toBe(false);
  });

  it('folds old readings into hourly aggregates that the chart still shows', async () => {
    const day = 24 * HOUR;
    const old = Array.from({ length: 12 }, (_, i) => ({ at: now - 3 * day + i * 5 * MIN, value: 1 }));
    await monitor.ingest(GAUGE.id, old);
    const before = await store.readings.series(GAUGE.id, now - 4 * day, now, HOUR, 'sum');
    expect(before.reduce((sum, p) => sum + p.value, 0)).toBe(12);
    expect(await store.readings.downsample(GAUGE.id, now - 2 * day, now - 365 * day)).toBe(12);
    const after = await store.readings.series(GAUGE.id, now - 4 * day, now, HOUR, 'sum');
    expect(after.reduce((sum, p) => sum + p.value, 0)).toBe(12);
    expect(await store.readings.downsample(GAUGE.id, now - 2 * day, now - 365 * day)).toBe(0);
  });
});
