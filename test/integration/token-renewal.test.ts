/**
 * A socket lives as long as its token unless the client renews it: POST
 * /api/v1/auth/renew gives a fresh token for a valid, unrevoked one, and
 * `auth:renew` hands it to the socket, which then outlives the old token while
 * a client that does not renew is closed at its token's expiry. Tokens here
 * live 8 s (whole seconds: the renewal comes 2 s in, so the new one expires
 * later).
 */
import type { LoginResponse } from '@beacon/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/waitFor.ts';
import { api, connect, login, ok, request, type TestClient, useTestNode } from './helpers.ts';

const TTL_SECONDS = 8;
const t = useTestNode({ env: { BEACON_JWT_TTL_SECONDS: String(TTL_SECONDS) } });
const sockets: TestClient[] = [];
afterAll(() => {
  for (const socket of sockets) socket.close();
});

async function client(token: string): Promise<TestClient> {
  const socket = await connect(t.url, token);
  sockets.push(socket);
  return socket;
}

async function renew(token: string): Promise<Response> {
  return api(t.url, token, '/api/v1/auth/renew', { method: 'POST' });
}

/** The token's `exp`, in ms. */
const expiryOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number }).exp * 1000;

describe('token renewal', () => {
  it('keeps a renewing client’s socket open past the old token’s expiry, and closes one that does not renew', async () => {
    const renewing = await login(t.url, 'duty');
    const idle = await login(t.url, 'chair');
    const renewingSocket = await client(renewing);
    const idleSocket = await client(idle);
    const idleClosed = new Promise<number>((resolve) => idleSocket.once('disconnect', () => resolve(Date.now())));
    let renewingClosedAt: number | null = null;
    renewingSocket.once('disconnect', () => {
      renewingClosedAt = Date.now();
    });

    // A second in, so the fresh token's whole-second expiry is later than the old one's.
    await waitFor(
      'a second to pass',
      () => Date.now(),
      (now) => now >= expiryOf(renewing) - (TTL_SECONDS - 2) * 1000,
    );
    const res = await renew(renewing);
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as LoginResponse;
    expect(fresh.user.username).toBe('duty');
    expect(fresh.token).not.toBe(renewing);
    expect(Date.parse(fresh.expiresAt)).toBeGreaterThan(expiryOf(renewing));
    const { expiresAt } = await ok(renewingSocket, 'auth:renew', { token: fresh.token });
    expect(expiresAt).toBe(fresh.expiresAt);

    // The idle client's socket closes at its token's expiry (and not much before).
    const idleClosedAt = await idleClosed;
    expect(idleClosedAt).toBeGreaterThanOrEqual(expiryOf(idle) - 50);
    // The renewing one is still open after the old token expired, and after a moment more.
    await waitFor(
      'the old token to be a second past its expiry',
      () => Date.now(),
      (now) => now > expiryOf(renewing) + 1000,
    );
    expect(renewingClosedAt).toBeNull();
    expect(renewingSocket.connected).toBe(true);
    // It answers events as before.
    expect(await request(renewingSocket, 'room:leave', {})).toMatchObject({
      ok: false,
      error: { code: 'not_in_room' },
    });
    // Signing the new token out closes it: the socket answers to the token it was handed.
    const closedBySignOut = new Promise<void>((resolve) => renewingSocket.once('disconnect', () => resolve()));
    expect((await api(t.url, fresh.token, '/api/v1/auth/logout', { method: 'POST' })).status).toBe(204);
    await closedBySignOut;
  }, 30_000);

  it('renews only a valid, unrevoked token, and a socket only to the same account', async () => {
    const token = await login(t.url, 'lucheng');
    expect((await api(t.url, token, '/api/v1/auth/logout', { method: 'POST' })).status).toBe(204);
    const revoked = await renew(token);
    expect(revoked.status).toBe(401);
    expect((await renew('not-a-token')).status).toBe(401);
    expect((await api(t.url, undefined, '/api/v1/auth/renew', { method: 'POST' })).status).toBe(401);

    const socket = await client(await login(t.url, 'donggua'));
    const other = await login(t.url, 'zixi');
    expect(await request(socket, 'auth:renew', { token: other })).toMatchObject({
      ok: false,
      error: { code: 'token_expired' },
    });
    expect(await request(socket, 'auth:renew', { token })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect(socket.connected).toBe(true);
  });

  it('refuses a new password equal to the current one, and changes nothing', async () => {
    const token = await login(t.url, 'xincun');
    const same = await api(t.url, token, '/api/v1/auth/password', {
      method: 'POST',
      body: JSON.stringify({ currentPassword: 'beacon2026', newPassword: 'beacon2026' }),
    });
    expect(same.status).toBe(400);
    expect(((await same.json()) as { error: { code: string } }).error.code).toBe('password_unchanged');
    // Nothing changed: the old password and the token still work.
    expect((await api(t.url, token, '/api/v1/me')).status).toBe(200);
    expect(await login(t.url, 'xincun')).toEqual(expect.any(String));
  });
});
