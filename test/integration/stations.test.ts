/**
 * Monitoring stations against a real node (HTTP ingest; MQTT has its own test next to the broker): the admin
 * registers a rain gauge and gets its token once; the station posts batches with it — idempotent, out of order,
 * clock skew flagged — and bad batches are refused with codes, nothing stored; the 3 h yellow threshold drafts
 * a warning the duty desk's socket hears (never issued); the chart series and the map state follow.
 */
import type { StationStateView, StationWithToken, WarningView } from '@beacon/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, login, nextEvent, useTestNode } from './helpers.ts';

const t = useTestNode();
const tokens: Record<string, string> = {};
const MIN = 60_000;

const gauge = {
  id: 'RG-lucheng-01',
  name: '鹿城雨量站',
  kind: 'rain',
  lat: 25.04,
  lon: 101.54,
  townshipId: 'lucheng',
  ownerTownshipId: 'lucheng',
  thresholds: { rain: { blue: { h1: 20 }, yellow: { h3: 50 }, red: { h3: 120 } } },
  intervalSeconds: 300,
};

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
}
const errorOf = (body: unknown) => (body as { error?: { code?: string; field?: string } }).error;

function ingest(stationToken: string, stationId: string, body: unknown) {
  return fetch(`${t.url}/api/v1/ingest/stations/${stationId}/readings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stationToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }));
}

describe('monitoring stations over HTTP', () => {
  let station: StationWithToken;
  beforeAll(async () => {
    for (const user of ['admin', 'duty', 'lucheng']) tokens[user] = await login(t.url, user);
  });

  it('lets only an admin register a station, and shows its token once', async () => {
    const refused = await call('duty', '/admin/stations', { method: 'POST', body: JSON.stringify(gauge) });
    expect(errorOf(refused.body)?.code).toBe('forbidden');
    const created = await call('admin', '/admin/stations', { method: 'POST', body: JSON.stringify(gauge) });
    expect(created.status).toBe(201);
    station = created.body as StationWithToken;
    expect(station.token.length).toBeGreaterThan(20);
    const read = await call('admin', `/admin/stations/${gauge.id}`);
    expect(JSON.stringify(read.body)).not.toContain(station.token);
    const twice = await call('admin', '/admin/stations', { method: 'POST', body: JSON.stringify(gauge) });
    expect(errorOf(twice.body)).toMatchObject({ code: 'conflict', field: 'id' });
  });

  it('refuses bad batches with codes and stores nothing of them', async () => {
    const now = Date.now();
    expect(errorOf((await ingest('wrong', gauge.id, { readings: [{ at: now, value: 1 }] })).body)?.code).toBe(
      'unauthorized',
    );
    expect(errorOf((await ingest(station.token, 'RG-nowhere', { readings: [{ at: now, value: 1 }] })).body)?.code).toBe(
      'station_unknown',
    );
    const mixed = await ingest(station.token, gauge.id, {
      readings: [
        { at: now, value: 1 },
        { at: now - MIN, value: 'NaN' },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(errorOf(mixed.body)).toMatchObject({ code: 'reading_invalid', field: 'readings[1].value' });
    const ahead = await ingest(station.token, gauge.id, { readings: [{ at: now + 366 * 24 * 60 * MIN, value: 1 }] });
    expect(errorOf(ahead.body)?.code).toBe('reading_invalid');
    const series = await call('duty', `/stations/${gauge.id}/series?range=24h`);
    expect((series.body as { points: unknown[] }).points).toEqual([]);
  });

  it('stores batches once in any order, flags a skewed clock, and drafts a yellow warning at 50 mm in 3 h', async () => {
    const duty = await t.client('duty');
    const now = Date.now();
    const shower = (from: number, n: number, mm: number) =>
      Array.from({ length: n }, (_, i) => ({ at: new Date(now - (from + i) * 15 * MIN).toISOString(), value: mm }));
    // Newer first, then older: 4 × 5 mm, then 4 × 5 mm = 40 mm in 2 h.
    expect((await ingest(station.token, gauge.id, { readings: shower(2, 4, 5) })).body).toEqual({
      stored: 4,
      duplicates: 0,
      skewed: 0,
    });
    expect((await ingest(station.token, gauge.id, { readings: shower(6, 4, 5) })).body).toMatchObject({ stored: 4 });
    expect((await ingest(station.token, gauge.id, { readings: shower(2, 4, 5) })).body).toMatchObject({
      stored: 0,
      duplicates: 4,
    });
    const drafted = nextEvent(duty, 'warning:updated', 10_000);
    const state = nextEvent(duty, 'station:updated', 10_000);
    // The station says it sent this an hour ago by its clock: stored, flagged; 40 + 12 = 52 mm within 3 h.
    const last = await ingest(station.token, gauge.id, {
      sentAt: new Date(now - 60 * MIN).toISOString(),
      readings: shower(0, 2, 6),
    });
    expect(last.body).toEqual({ stored: 2, duplicates: 0, skewed: 2 });
    const warning = (await drafted) as WarningView;
    expect(warning).toMatchObject({ status: 'draft', colour: 'yellow', createdBy: 'system' });
    expect(warning.affectedTownshipIds).toContain('lucheng');
    expect((await state) as StationStateView).toMatchObject({ stationId: gauge.id, level: 'yellow' });

    const states = (await call('duty', '/stations/states')).body as StationStateView[];
    expect(states.find((s) => s.stationId === gauge.id)).toMatchObject({ level: 'yellow', warningId: warning.id });
    expect(errorOf((await call('lucheng', '/stations/states')).body)?.code).toBe('forbidden');
    const series = (await call('duty', `/stations/${gauge.id}/series?range=24h`)).body as {
      points: { value: number }[];
    };
    expect(series.points.reduce((sum, p) => sum + p.value, 0)).toBe(52);

    const audit = (await call('admin', '/audit?limit=50')).body as { action: string; actorId: string }[];
    expect(audit.find((a) => a.action === 'station.threshold')).toMatchObject({ actorId: 'system' });
  });
});
