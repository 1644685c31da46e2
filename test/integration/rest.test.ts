/**
 * The REST API of a real node: login, bearer auth, roles, resources, ops
 * endpoints and JSON errors.
 */
import { describe, expect, it } from 'vitest';
import { api, connect, login, ok, useTestNode } from './helpers.ts';

const t = useTestNode();

describe('REST', () => {
  it('logs in, with one message for unknown user and wrong password', async () => {
    const post = (body: unknown) =>
      api(t.url, undefined, '/api/v1/auth/login', { method: 'POST', body: JSON.stringify(body) });
    const wrong = await post({ username: 'chair', password: 'nope' });
    const unknown = await post({ username: 'nobody', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const wrongBody = await wrong.json();
    expect(wrongBody).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(await unknown.json()).toEqual(wrongBody);

    const good = await post({ username: 'chair', password: 'beacon2026' });
    expect(good.status).toBe(200);
    const body = await good.json();
    expect(body).toMatchObject({
      token: expect.any(String),
      expiresAt: expect.any(String),
      user: { username: 'chair', role: 'chair' },
    });

    expect((await post({ username: 'chair' })).status).toBe(400);
    const malformed = await api(t.url, undefined, '/api/v1/auth/login', { method: 'POST', body: '{"username":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('guards the API with bearer tokens and roles', async () => {
    expect((await api(t.url, undefined, '/api/v1/me')).status).toBe(401);
    expect(await (await api(t.url, 'junk', '/api/v1/rooms')).json()).toMatchObject({ error: { code: 'unauthorized' } });

    const township = await login(t.url, 'lucheng');
    const me = (await (await api(t.url, township, '/api/v1/me')).json()) as { townshipId: string };
    expect(me).toMatchObject({ username: 'lucheng', role: 'township', townshipId: expect.any(String) });

    const create = (token: string, body: unknown) =>
      api(t.url, token, '/api/v1/rooms', { method: 'POST', body: JSON.stringify(body) });
    const forbidden = await create(township, { id: 'township-room', title: 'no' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });

    const chair = await login(t.url, 'chair');
    const created = await create(chair, { id: 'flood-briefing', title: '防汛会商', kind: 'emergency' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'flood-briefing', kind: 'emergency', participants: 0 });
    expect((await create(chair, { id: 'flood-briefing', title: 'again' })).status).toBe(400);
    expect((await create(chair, { id: 'Bad Id', title: 'x' })).status).toBe(400);

    const rooms = (await (await api(t.url, township, '/api/v1/rooms')).json()) as { id: string }[];
    expect(rooms.map((r) => r.id)).toEqual(
      expect.arrayContaining(['city-weekly', 'emergency-drill', 'flood-briefing']),
    );
    expect(await (await api(t.url, township, '/api/v1/townships')).json()).toHaveLength(15);

    const own = (await (await api(t.url, township, '/api/v1/terminals')).json()) as { townshipId: string }[];
    const all = (await (await api(t.url, chair, '/api/v1/terminals')).json()) as unknown[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((t) => t.townshipId === me.townshipId)).toBe(true);
    expect(all.length).toBeGreaterThan(own.length);

    const missing = await api(t.url, chair, '/api/v1/no-such-thing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves the media routers’ capabilities to signed-in consoles once a room has started', async () => {
    const township = await login(t.url, 'lucheng');
    expect((await api(t.url, undefined, '/api/v1/media/capabilities')).status).toBe(401);
    const before = await api(t.url, township, '/api/v1/media/capabilities');
    // This node's first room starts below: until then there is nothing to tell (the console loads after its join).
    expect(await before.json()).toEqual({ routerRtpCapabilities: null });
    const socket = await connect(t.url, township);
    try {
      const joined = await ok(socket, 'room:join', { roomId: 'city-weekly' });
      const served = await api(t.url, township, '/api/v1/media/capabilities');
      expect(served.status).toBe(200);
      // What a join answers, so a Device loaded ahead of the join is the one the join needs.
      expect(await served.json()).toEqual({ routerRtpCapabilities: joined.routerRtpCapabilities });
    } finally {
      socket.close();
    }
  });

  it('answers health, readiness and the console placeholder', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', media: true, store: true });
    const home = await fetch(`${t.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/not built/);
  });
});
