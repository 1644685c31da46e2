/**
 * Emergency resources over REST on a real node: admins keep teams, depots, shelters and experts (zod at the
 * edge, audited, refusals coded and nothing written), the import refuses a file with a bad row as a whole;
 * staff read the map's resources and dispatch a team, townships are refused; the dispatch's task shows in the
 * incident's response-time figures.
 */
import type { IncidentView, NearestResourcesView, ResponseTimesPeriod, TeamView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { demoTeams, resourceXlsx } from '../../signaling/src/resources/testing/resourceWorkbook.ts';
import { api, login, useTestNode } from './helpers.ts';

const t = useTestNode();

/** An audit line as GET /api/v1/audit answers it. */
interface AuditEntry {
  action: string;
  detail: unknown;
}

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
const team = {
  name: '鹿城镇应急分队',
  kind: 'militia',
  headcount: 20,
  townshipId: 'lucheng',
  lat: 25.04,
  lon: 101.54,
};

describe('resources over REST', () => {
  it('lets admins create, change and disable a team, each audited; bad input is refused and not stored', async () => {
    const admin = await login(t.url, 'admin');
    const duty = await login(t.url, 'duty');
    expect((await api(t.url, duty, '/api/v1/admin/teams', json(team))).status).toBe(403);
    const both = await api(t.url, admin, '/api/v1/admin/teams', json({ ...team, departmentId: 'dp-yjj' }));
    expect([both.status, ((await both.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'bad_request',
    ]);
    const unknown = await api(t.url, admin, '/api/v1/admin/teams', json({ ...team, townshipId: 'nowhere' }));
    expect(unknown.status).toBe(400);
    const full = await api(
      t.url,
      admin,
      '/api/v1/admin/shelters',
      json({ name: '满员', capacity: 10, occupancy: 11, lat: 25, lon: 101 }),
    );
    expect(full.status).toBe(400);

    const created = await api(t.url, admin, '/api/v1/admin/teams', json(team));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as TeamView;
    const taken = await api(t.url, admin, '/api/v1/admin/teams', json(team));
    expect([taken.status, ((await taken.json()) as { error: { field: string } }).error.field]).toEqual([409, 'name']);
    const moved = await api(t.url, admin, `/api/v1/admin/teams/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ townshipId: null, departmentId: 'dp-yjj' }),
    });
    expect(((await moved.json()) as TeamView).departmentId).toBe('dp-yjj');
    expect((await api(t.url, admin, `/api/v1/admin/teams/${id}/disable`, { method: 'POST' })).status).toBe(200);
    const list = (await (await api(t.url, admin, '/api/v1/admin/teams?enabled=true')).json()) as { total: number };
    expect(list.total).toBe(0);
    const audit = (await (await api(t.url, admin, '/api/v1/audit?limit=10')).json()) as AuditEntry[];
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['admin.team.create', 'admin.team.update', 'admin.team.disable']),
    );
    expect(audit.find((a) => a.action === 'admin.team.update')?.detail).toMatchObject({
      before: { townshipId: 'lucheng' },
      after: { departmentId: 'dp-yjj' },
    });
  });

  it('imports teams from XLSX only when every row is good, then staff dispatch the nearest one', async () => {
    const admin = await login(t.url, 'admin');
    const upload = (body: Buffer) =>
      fetch(`${t.url}/api/v1/admin/resources/import?filename=t.xlsx&commit=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' },
        body,
      });
    const bad = demoTeams('rt');
    (bad.rows[1] as (string | number)[])[2] = '很多';
    const refused = await upload(await resourceXlsx({ 救援队伍: bad }));
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('import_invalid');
    const duty = await login(t.url, 'duty');
    const before = (await (await api(t.url, duty, '/api/v1/resources')).json()) as { teams: TeamView[] };
    expect(before.teams.filter((x) => x.name.startsWith('rt'))).toEqual([]);
    expect((await upload(await resourceXlsx({ 救援队伍: demoTeams('rt') }))).status).toBe(200);

    const incident = (await (
      await api(
        t.url,
        duty,
        '/api/v1/incidents',
        json({ type: 'landslide', level: 'III', title: '滑坡', location: [25.0, 101.42] }),
      )
    ).json()) as IncidentView;
    const nearest = (await (
      await api(t.url, duty, `/api/v1/incidents/${incident.id}/nearest?limit=1`)
    ).json()) as NearestResourcesView;
    expect(nearest.teams.map((x) => x.name)).toEqual(['rt紫溪镇应急分队']);
    const teamId = nearest.teams[0]?.id;
    const lucheng = await login(t.url, 'lucheng');
    expect(
      (await api(t.url, lucheng, `/api/v1/teams/${teamId}/dispatch`, json({ incidentId: incident.id }))).status,
    ).toBe(403);
    const sent = await api(t.url, duty, `/api/v1/teams/${teamId}/dispatch`, json({ incidentId: incident.id }));
    expect(sent.status).toBe(201);
    expect(((await sent.json()) as { team: TeamView }).team.status).toBe('deployed');
    const again = await api(t.url, duty, `/api/v1/teams/${teamId}/dispatch`, json({ incidentId: incident.id }));
    expect(again.status).toBe(409);

    // The dispatch is a task on the incident: the after-action report and the period's figures count it.
    const report = await (await api(t.url, duty, `/api/v1/incidents/${incident.id}/report`)).text();
    expect(report).toContain('响应时效');
    expect(report).toContain('任务下达 → 签收');
    expect(report).toContain('<td>rt紫溪镇应急分队</td>');
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const period = (await (
      await api(t.url, duty, `/api/v1/evaluation/response-times?from=${day}&to=${next}`)
    ).json()) as ResponseTimesPeriod;
    const figures = period.incidents.find((i) => i.incidentId === incident.id);
    expect(figures?.summary.find((s) => s.metric === 'task_to_ack')).toMatchObject({ count: 0, pending: 1 });
    expect((await api(t.url, lucheng, `/api/v1/evaluation/response-times?from=${day}&to=${next}`)).status).toBe(403);
    expect((await api(t.url, duty, `/api/v1/evaluation/response-times?from=${next}&to=${day}`)).status).toBe(400);
  });
});
