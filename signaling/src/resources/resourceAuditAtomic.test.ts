/**
 * A resource's change and its audit entry commit together (both backends): with the entry refused (a trigger
 * aborts its insert), an admin's new team (over the real admin route), a dispatch and a status move store
 * nothing — the team stays where it was and the dispatch's task is voided; with entries written again the same
 * calls go through, each with its entry.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import { CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import { TaskDesk } from '../command/TaskDesk.ts';
import { actor } from '../command/testing/actors.ts';
import { errorHandler } from '../http/errors.ts';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { adminResourceRoutes } from './adminResourceRoutes.ts';
import { ResourceDesk } from './ResourceDesk.ts';

const duty = actor('u-duty', 'duty_officer');
const team = { name: '紫溪镇应急分队', kind: 'militia' as const, headcount: 20, lat: 25.01, lon: 101.43 };

describeStoreBackends((env) => {
  let store: Store;
  let desk: ResourceDesk;
  let incidentId: string;
  let closeServer: () => void = () => undefined;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    desk = new ResourceDesk({ bus, tasks: new TaskDesk(bus) });
    await store.resources.teams.create({
      ...team,
      id: 'tm-zixi',
      leaderName: null,
      leaderPhone: null,
      townshipId: 'zixi',
      departmentId: null,
    });
    const incident = await new IncidentDesk(bus).create(duty, {
      type: 'landslide',
      level: 'III',
      title: '紫溪镇山体滑坡',
      description: '',
      reporter: '',
      townshipId: 'zixi',
      location: [25.0, 101.42],
      departmentIds: [],
    });
    incidentId = incident.id;
  });
  afterEach(() => {
    desk.close();
    closeServer();
  });
  const count = async (action: string) =>
    (await store.audit.list({ limit: 1000 })).filter((e) => e.action === action).length;

  /** The admin routes on a real HTTP server, signed in as the admin. */
  async function adminApi(): Promise<(body: unknown) => Promise<number>> {
    const app = express();
    app.use(express.json());
    app.use((_req, res, next) => {
      res.locals.claims = { ...actor('u-admin', 'admin'), departmentId: null } as AuthClaims;
      next();
    });
    const router = express.Router();
    adminResourceRoutes(router, store);
    app.use(router);
    app.use(errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closeServer = () => server.close();
    const { port } = server.address() as AddressInfo;
    return async (body) =>
      (
        await fetch(`http://127.0.0.1:${port}/admin/teams`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
  }

  it("keeps no admin's new team whose entry was refused", async () => {
    const post = await adminApi();
    const refused = await refuseAudit(env, ['admin.team.create']);
    expect(await post({ ...team, name: '东瓜镇应急分队', townshipId: 'donggua' })).toBe(500);
    expect((await store.resources.teams.list({})).map((t) => t.name)).toEqual([team.name]);
    await refused.allow();
    expect(await post({ ...team, name: '东瓜镇应急分队', townshipId: 'donggua' })).toBe(201);
    expect(await count('admin.team.create')).toBe(1);
  });

  it('keeps no dispatch or status move whose entry was refused', async () => {
    const refused = await refuseAudit(env, ['team.dispatch']);
    await expect(desk.dispatch(duty, 'tm-zixi', { incidentId })).rejects.toThrow(/audit refused/);
    expect(await store.resources.teams.get('tm-zixi')).toMatchObject({ status: 'available', dispatch: null });
    // Its task was sent in its own audited transaction; it is voided, so the township has nothing open.
    expect((await store.tasks.list({ incidentId })).map((t) => t.status)).toEqual(['done']);
    await refused.allow();

    await desk.dispatch(duty, 'tm-zixi', { incidentId });
    await store.resources.teams.setStatus('tm-zixi', 'deployed', 'returned', new Date().toISOString());
    const moves = await refuseAudit(env, ['team.status']);
    await expect(desk.setStatus(duty, 'tm-zixi', 'available')).rejects.toThrow(/audit refused/);
    expect((await store.resources.teams.get('tm-zixi'))?.status).toBe('returned');
    await moves.allow();
    expect((await desk.setStatus(duty, 'tm-zixi', 'available')).status).toBe('available');
    expect([await count('team.dispatch'), await count('team.status')]).toEqual([1, 1]);
  });
});
