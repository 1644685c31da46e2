/**
 * Safe sign-in against real signaling: failed sign-ins are throttled
 * (back-off, then a lock with `rate_limited` and Retry-After, which expires),
 * across two nodes on real Redis; an admin's reset forces a password change
 * the policy guards; changing it revokes old tokens and sockets; sign-out
 * revokes the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';
import { api, connect, login, makeDataDir, startTestNode, type TestClient, type TestNode } from './helpers.ts';

// Locked at the 7th failure for 3 s (the 5th blocks 1 s, the 6th 2 s): the whole ladder in seconds.
const THROTTLE_ENV = { BEACON_SIGNIN_LOCK_AFTER: '7', BEACON_SIGNIN_LOCK_SECONDS: '3' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signIn(url: string, username: string, password: string): Promise<Response> {
  return api(url, undefined, '/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
}

async function errorOf(res: Response): Promise<{ code: string; retryAfterSeconds?: number }> {
  return ((await res.json()) as { error: { code: string; retryAfterSeconds?: number } }).error;
}

async function expectLimited(res: Response, seconds: number): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(seconds));
  expect(await errorOf(res)).toMatchObject({ code: 'rate_limited', retryAfterSeconds: seconds });
}

function closed(socket: TestClient): Promise<void> {
  return new Promise((resolve) => socket.once('disconnect', () => resolve()));
}

async function refusedHandshake(url: string, token: string): Promise<string> {
  try {
    const socket = await connect(url, token);
    socket.close();
    return 'connected';
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code ?? String(err);
  }
}

describe('sign-in security on one node', () => {
  let t: TestNode;
  const sockets: TestClient[] = [];
  beforeAll(async () => {
    t = await startTestNode({ env: THROTTLE_ENV });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.stop();
  });

  it('backs off after 5 failures, locks at the 7th, and the lock expires', async () => {
    const url = t.node.url;
    for (let i = 0; i < 5; i++) expect((await signIn(url, 'duty', 'wrong-password')).status).toBe(401);
    // Even the right password waits: the check runs before the password is looked at.
    await expectLimited(await signIn(url, 'duty', 'beacon2026'), 1);
    // An unknown username is limited exactly like a real one.
    for (let i = 0; i < 5; i++) expect((await signIn(url, 'no-such-user', 'wrong-password')).status).toBe(401);
    await expectLimited(await signIn(url, 'no-such-user', 'wrong-password'), 1);

    await sleep(1_100);
    expect((await signIn(url, 'duty', 'wrong-password')).status).toBe(401);
    await expectLimited(await signIn(url, 'duty', 'beacon2026'), 2);
    await sleep(2_100);
    expect((await signIn(url, 'duty', 'wrong-password')).status).toBe(401);
    await expectLimited(await signIn(url, 'duty', 'beacon2026'), 3);
    await sleep(3_100);
    expect((await signIn(url, 'duty', 'beacon2026')).status).toBe(200);
  });

  it('reset → change required → everything else refused → policy → new password; old tokens and sockets go', async () => {
    const url = t.node.url;
    const admin = await login(url, 'admin');
    const created = await api(url, admin, '/api/v1/admin/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'wang-wei', password: 'Initial-pass-77', displayName: '王伟', role: 'chair' }),
    });
    expect(created.status).toBe(201);
    const userId = String(((await created.json()) as { id: string }).id);
    const first = await signIn(url, 'wang-wei', 'Initial-pass-77');
    const firstBody = (await first.json()) as { token: string; passwordChangeRequired: boolean };
    expect(firstBody.passwordChangeRequired).toBe(true);
    const changed = await api(url, firstBody.token, '/api/v1/auth/password', {
      method: 'POST',
      body: JSON.stringify({ currentPassword: 'Initial-pass-77', newPassword: 'Lantern-over-the-river-1' }),
    });
    expect(changed.status).toBe(200);
    const settled = (await changed.json()) as { token: string; passwordChangeRequired: boolean };
    expect(settled.passwordChangeRequired).toBe(false);
    const socket = await connect(url, settled.token);
    sockets.push(socket);
    const socketClosed = closed(socket);

    const reset = await api(url, admin, `/api/v1/admin/users/${userId}/password`, { method: 'POST', body: '{}' });
    expect(reset.status).toBe(200);
    const { password: temporary } = (await reset.json()) as { password: string };
    expect(temporary).toMatch(/^[\w-]{16}$/);
    await socketClosed;
    const stale = await api(url, settled.token, '/api/v1/me');
    expect(stale.status).toBe(401);
    expect(await errorOf(stale)).toMatchObject({ code: 'token_expired' });
    const audit = (await t.node.store.audit.list({ limit: 20 })).find((e) => e.action === 'admin.user.reset_password');
    expect(audit).toMatchObject({ target: userId, detail: { generated: true } });
    expect(JSON.stringify(audit)).not.toContain(temporary);

    const again = (await (await signIn(url, 'wang-wei', temporary)).json()) as {
      token: string;
      passwordChangeRequired: boolean;
    };
    expect(again.passwordChangeRequired).toBe(true);
    const rooms = await api(url, again.token, '/api/v1/rooms');
    expect(rooms.status).toBe(403);
    expect(await errorOf(rooms)).toMatchObject({ code: 'password_change_required' });
    expect((await api(url, again.token, '/api/v1/me')).status).toBe(200);
    expect(await refusedHandshake(url, again.token)).toBe('password_change_required');

    const change = (currentPassword: string, newPassword: string) =>
      api(url, again.token, '/api/v1/auth/password', {
        method: 'POST',
        body: JSON.stringify({ currentPassword, newPassword }),
      });
    const refusals: Record<string, string> = {
      'short-1': 'password_too_short',
      'WANG-WEI-forever': 'password_is_username',
      woaini1314: 'password_too_common',
    };
    for (const [weak, code] of Object.entries(refusals)) {
      const res = await change(temporary, weak);
      expect(res.status, weak).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code });
    }
    const wrong = await change('not-the-temporary', 'Copper-kettle-at-dawn-9');
    expect(wrong.status).toBe(403);
    expect(await errorOf(wrong)).toMatchObject({ code: 'wrong_password' });
    const accepted = await change(temporary, 'Copper-kettle-at-dawn-9');
    expect(accepted.status).toBe(200);
    const fresh = (await accepted.json()) as { token: string };
    expect((await api(url, fresh.token, '/api/v1/rooms')).status).toBe(200);
    expect((await api(url, again.token, '/api/v1/me')).status).toBe(401);
    const next = (await (await signIn(url, 'wang-wei', 'Copper-kettle-at-dawn-9')).json()) as {
      passwordChangeRequired: boolean;
    };
    expect(next.passwordChangeRequired).toBe(false);
  });

  it('sign-out revokes the token: its socket closes, REST answers 401, a new socket is refused', async () => {
    const url = t.node.url;
    const token = await login(url, 'chair');
    const other = await login(url, 'chair');
    const socket = await connect(url, token);
    sockets.push(socket);
    const socketClosed = closed(socket);
    expect((await api(url, token, '/api/v1/auth/logout', { method: 'POST' })).status).toBe(204);
    await socketClosed;
    const after = await api(url, token, '/api/v1/rooms');
    expect(after.status).toBe(401);
    expect(await errorOf(after)).toMatchObject({ code: 'unauthorized' });
    expect(await refusedHandshake(url, token)).toBe('unauthorized');
    // Only that token: the same user's other sign-in goes on.
    expect((await api(url, other, '/api/v1/rooms')).status).toBe(200);
  });
});

describe.skipIf(redisUnavailableReason !== null)(
  `sign-in throttling across two nodes on Redis${redisUnavailableReason ? ` (skipped: ${redisUnavailableReason})` : ''}`,
  () => {
    let redis: RedisServer;
    let a: TestNode;
    let b: TestNode;
    beforeAll(async () => {
      redis = await startRedis();
      const dataDir = await makeDataDir();
      const env = { ...THROTTLE_ENV, REDIS_URL: redis.url, BEACON_JWT_SECRET: 'sign-in-test-secret-'.padEnd(40, 'x') };
      a = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-a' } });
      b = await startTestNode({ dataDir, env: { ...env, BEACON_NODE_ID: 'node-b' } });
    });
    afterAll(async () => {
      await a?.stop({ keepData: true });
      await b?.stop();
      await redis?.stop();
    });

    it('counts the failures of one account on both nodes together', async () => {
      // Alternating: neither node alone sees more than 3 failures, which a per-node count would let through.
      for (let i = 0; i < 5; i++) {
        const node = i % 2 === 0 ? a : b;
        expect((await signIn(node.node.url, 'duty', 'wrong-password')).status).toBe(401);
      }
      await expectLimited(await signIn(b.node.url, 'duty', 'beacon2026'), 1);
      await expectLimited(await signIn(a.node.url, 'duty', 'beacon2026'), 1);
      await sleep(1_100);
      expect((await signIn(b.node.url, 'duty', 'beacon2026')).status).toBe(200);
    });
  },
);
