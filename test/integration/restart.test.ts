/**
 * A node restarted on the same data dir keeps its rooms and its generated
 * JWT secret: tokens issued before the restart still work after it.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, connect, login, makeDataDir, ok, startTestNode, type TestNode } from './helpers.ts';

describe('restart on the same data dir', () => {
  let dataDir: string | undefined;
  let running: TestNode | undefined;

  afterAll(async () => {
    await running?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps rooms, accounts and the persisted JWT secret', async () => {
    dataDir = await makeDataDir();
    // No BEACON_JWT_SECRET: the node generates one into the data dir.
    running = await startTestNode({ dataDir });
    expect(running.config.jwtSecret).toBeUndefined();
    const first = running.node.url;
    const chairToken = await login(first, 'chair');
    const created = await api(first, chairToken, '/api/v1/rooms', {
      method: 'POST',
      body: JSON.stringify({ id: 'forest-fire', title: '森林防火调度', kind: 'emergency' }),
    });
    expect(created.status).toBe(201);
    await running.stop({ keepData: true });
    running = undefined;
    expect(existsSync(path.join(dataDir, 'jwt-secret'))).toBe(true);

    // This time with a built console, to check it is served as a single-page app.
    const dist = path.join(dataDir, 'dist');
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>烽火</title>');
    await writeFile(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    running = await startTestNode({ dataDir, env: { BEACON_CONSOLE_DIST: dist } });
    const second = running.node.url;
    for (const page of ['/', '/conference/city-weekly']) {
      const res = await fetch(`${second}${page}`);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('烽火');
    }
    expect(await (await fetch(`${second}/assets/app.js`)).text()).toBe('console.log(1)');
    const missingApi = await api(second, chairToken, '/api/v1/nothing-here');
    expect(missingApi.status).toBe(404);
    expect(await missingApi.json()).toMatchObject({ error: { code: 'not_found' } });
    const rooms = await api(second, chairToken, '/api/v1/rooms');
    expect(rooms.status).toBe(200);
    const list = (await rooms.json()) as { id: string; title: string; createdBy: string | null }[];
    expect(list.find((r) => r.id === 'forest-fire')).toMatchObject({ title: '森林防火调度', createdBy: 'u-chair' });
    // Seeding ran once: the demo rooms are not duplicated.
    expect(list.filter((r) => r.id === 'city-weekly')).toHaveLength(1);

    expect(await login(second, 'lucheng')).toEqual(expect.any(String));
    const socket = await connect(second, chairToken);
    try {
      const joined = await ok(socket, 'room:join', { roomId: 'forest-fire' });
      expect(joined.self).toMatchObject({ role: 'chair' });
    } finally {
      socket.close();
    }
    const audit = await running.node.store.audit.list({ limit: 100 });
    expect(audit.some((e) => e.action === 'room.create' && e.target === 'forest-fire')).toBe(true);
  });
});
