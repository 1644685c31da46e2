/**
 * Township boundaries on a real node: an admin's dry run lists the matched
 * features and writes nothing; bad files are a coded `boundary_invalid` naming
 * the feature and field, and write nothing; the commit is audited with counts
 * and open command rooms are told; the export imports back; a warning area
 * then affects a township whose boundary it covers in part (not its seat),
 * with the covered share on the preview, the warning and the ack board; a
 * disabled township never.
 */
import type { AckBoardRow, BoundaryCollection, BoundaryImportReport, WarningView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { FIXTURE } from '../../signaling/src/command/geo/testdata/fixture.ts';
import { api, login, nextEvent, useTestNode } from './helpers.ts';

const t = useTestNode();

async function put(token: string, body: string, dryRun: boolean, type = 'application/geo+json') {
  const res = await fetch(`${t.url}/api/v1/admin/boundaries${dryRun ? '?dryRun=true' : ''}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function json<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(t.url, token, `/api/v1${path}`, init);
  expect(res.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const stored = async (token: string) => (await json<BoundaryCollection>(token, '/boundaries')).features.length;

/** East of 东瓜镇's seat (101.60): a quarter of its fixture outline, no township's seat. */
const EAST_OF_DONGGUA = {
  type: 'polygon',
  points: [
    [24.97, 101.62],
    [24.97, 101.7],
    [25.04, 101.7],
    [25.04, 101.62],
  ],
};

describe('township boundaries', () => {
  it('refuses bad files with a coded error naming the field, and writes nothing', async () => {
    const admin = await login(t.url, 'admin');
    const notJson = await put(admin, '{"type":"FeatureCollection",', false);
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'boundary_invalid', field: 'body' } } });

    const point = JSON.parse(FIXTURE) as { features: { geometry: unknown }[] };
    (point.features[1] as { geometry: unknown }).geometry = { type: 'Point', coordinates: [101.54, 25.04] };
    const dry = await put(admin, JSON.stringify(point), true);
    expect(dry.status).toBe(200);
    expect((dry.body as unknown as BoundaryImportReport).issues).toMatchObject([
      { code: 'not_polygon', index: 1, field: 'features[1].geometry.type' },
    ]);
    const commit = await put(admin, JSON.stringify(point), false, 'application/json');
    expect(commit).toMatchObject({
      status: 400,
      body: { error: { code: 'boundary_invalid', field: 'features[1].geometry.type', issues: [{ index: 1 }] } },
    });

    const oversized = await put(admin, `${FIXTURE}${' '.repeat(10 * 1024 * 1024)}`, false);
    expect(oversized).toMatchObject({ status: 400, body: { error: { code: 'boundary_invalid', field: 'body' } } });

    const duty = await login(t.url, 'duty');
    expect((await put(duty, FIXTURE, false)).status).toBe(403);
    // Without a token nothing is read: refused before the body.
    const anonymous = await fetch(`${t.url}/api/v1/admin/boundaries`, { method: 'PUT', body: FIXTURE });
    expect(anonymous.status).toBe(401);
    expect(await stored(admin)).toBe(0);
    const audit = await json<{ action: string }[]>(admin, '/audit?limit=50');
    expect(audit.filter((e) => e.action === 'admin.boundaries.import')).toEqual([]);
  });

  it('dry-runs, commits with an audit of the counts, serves and exports the boundaries', async () => {
    const admin = await login(t.url, 'admin');
    const dry = (await put(admin, FIXTURE, true)).body as unknown as BoundaryImportReport;
    expect(dry).toMatchObject({ dryRun: true, matched: 3, unmatched: 0, issues: [], before: 0, after: 3 });
    expect(dry.features.map((f) => [f.townshipId, f.townshipName, f.replaces])).toEqual([
      ['zixi', '紫溪镇', false],
      ['lucheng', '鹿城镇', false],
      ['donggua', '东瓜镇', false],
    ]);
    expect(dry.withoutBoundary).toHaveLength(12);
    expect(await stored(admin)).toBe(0);

    // Open command rooms hear of it and redraw.
    const staff = await t.client('duty');
    const told = nextEvent(staff, 'boundaries:updated');
    const done = await put(admin, FIXTURE, false);
    expect(done).toMatchObject({ status: 200, body: { dryRun: false, before: 0, after: 3 } });
    expect(await told).toEqual({ count: 3 });
    const [entry] = (await json<{ action: string; detail: unknown }[]>(admin, '/audit?limit=20')).filter(
      (e) => e.action === 'admin.boundaries.import',
    );
    expect(entry?.detail).toEqual({
      before: { townships: 0 },
      after: { townships: 3 },
      townshipIds: ['zixi', 'lucheng', 'donggua'],
    });

    const duty = await login(t.url, 'duty');
    expect(await stored(duty)).toBe(3);
    const exported = await api(t.url, admin, '/api/v1/admin/boundaries');
    expect(exported.headers.get('content-type')).toContain('application/geo+json');
    const again = (await put(admin, await exported.text(), true)).body as unknown as BoundaryImportReport;
    expect(again).toMatchObject({ matched: 3, issues: [], before: 3, after: 3 });
    expect(again.features.every((f) => f.replaces)).toBe(true);
    const lucheng = await login(t.url, 'lucheng');
    expect((await api(t.url, lucheng, '/api/v1/boundaries')).status).toBe(403);
  });

  it('forgets one township’s boundary, audited; an unknown one is not_found', async () => {
    const admin = await login(t.url, 'admin');
    await put(admin, FIXTURE, false);
    expect((await api(t.url, admin, '/api/v1/admin/boundaries/zixi', { method: 'DELETE' })).status).toBe(204);
    const again = await api(t.url, admin, '/api/v1/admin/boundaries/zixi', { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await stored(admin)).toBe(2);
    const [entry] = (await json<{ action: string; target: string }[]>(admin, '/audit?limit=20')).filter(
      (e) => e.action === 'admin.boundaries.remove',
    );
    expect(entry?.target).toBe('zixi');
    await put(admin, FIXTURE, false);
    expect(await stored(admin)).toBe(3);
  });

  it('warns a township whose boundary the area covers in part, with the share, on the preview and the board', async () => {
    const duty = await login(t.url, 'duty');
    const preview = await json<{ affectedTownshipIds: string[]; coveredShares: Record<string, number> }>(
      duty,
      '/warnings/preview',
      { method: 'POST', body: JSON.stringify({ area: EAST_OF_DONGGUA }) },
    );
    expect(preview.affectedTownshipIds).toEqual(['donggua']);
    expect(preview.coveredShares.donggua).toBeCloseTo(0.255, 2);

    const draft = await json<WarningView>(duty, '/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '暴雨',
        colour: 'orange',
        headline: '暴雨橙色预警：东瓜镇东部',
        area: EAST_OF_DONGGUA,
        expires: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    expect(draft.coveredShares).toEqual(preview.coveredShares);
    await json(duty, `/warnings/${draft.id}/issue`, { method: 'POST', body: '{}' });
    const board = await json<AckBoardRow[]>(duty, `/warnings/${draft.id}/acks`);
    expect(board.map((r) => [r.townshipId, r.coveredShare])).toEqual([['donggua', preview.coveredShares.donggua]]);
  });

  it('never affects a disabled township', async () => {
    const admin = await login(t.url, 'admin');
    const duty = await login(t.url, 'duty');
    const area = { area: EAST_OF_DONGGUA };
    await json(admin, '/admin/townships/donggua/disable', { method: 'POST', body: '{}' });
    try {
      const preview = await json<{ affectedTownshipIds: string[] }>(duty, '/warnings/preview', {
        method: 'POST',
        body: JSON.stringify(area),
      });
      expect(preview.affectedTownshipIds).toEqual([]);
    } finally {
      await json(admin, '/admin/townships/donggua/enable', { method: 'POST', body: '{}' });
    }
  });
});
