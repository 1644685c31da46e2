/**
 * The first start of a real Beacon process, seeding by itself as a
 * deployment does (no test fixture seed): without demo data only the admin
 * exists, with a one-time password shown once in the output and kept in a
 * 0600 file until it is changed, and never made again; with demo data every
 * demo account must change the published password before doing anything.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoginResponse } from '@beacon/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { initialAdminPassword, loginApi } from '../src/signaling.ts';
import { connect } from './helpers.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

function post(url: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

async function handshakeRefusal(url: string, token: string): Promise<string> {
  try {
    (await connect(url, token)).close();
    return 'connected';
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code ?? String(err);
  }
}

describe('first start without demo data (BEACON_DEMO=off)', () => {
  it('seeds only the admin with a one-time password, shown once, kept in a 0600 file until changed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'beacon-first-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { BEACON_DEMO: 'off' };
    const first = await startBeaconProcess({ dataDir, env, seed: 'beacon' });
    cleanup.push(() => first.stop());
    const { url } = first;

    const file = join(dataDir, 'initial-admin-password');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const oneTime = await initialAdminPassword(dataDir);
    expect(oneTime).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // Printed once, in the log (LOG_LEVEL=warn in tests shows it), and where to find it on the banner.
    expect(first.output().split(oneTime)).toHaveLength(2);
    expect(first.output()).toContain(file);
    expect(first.output()).not.toContain('演示数据');

    // No demo account, no published password.
    expect((await post(url, '/api/v1/auth/login', { username: 'chair', password: DEMO_PASSWORD })).status).toBe(401);
    expect((await post(url, '/api/v1/auth/login', { username: 'admin', password: DEMO_PASSWORD })).status).toBe(401);
    expect(await (await fetch(`${url}/api/v1/auth/info`)).json()).toEqual({ demo: false });

    const signedIn = await loginApi(url, 'admin', oneTime);
    expect(signedIn.passwordChangeRequired).toBe(true);
    const rooms = await fetch(`${url}/api/v1/rooms`, { headers: { authorization: `Bearer ${signedIn.token}` } });
    expect(rooms.status).toBe(403);
    expect(await codeOf(rooms)).toBe('password_change_required');
    expect(await handshakeRefusal(url, signedIn.token)).toBe('password_change_required');

    // The same password again is not a change; the file stays while the one-time password is still the one.
    const same = await post(
      url,
      '/api/v1/auth/password',
      { currentPassword: oneTime, newPassword: oneTime },
      signedIn.token,
    );
    expect(same.status).toBe(400);
    expect(await codeOf(same)).toBe('password_unchanged');
    expect(existsSync(file)).toBe(true);

    const chosen = 'our-own-chosen-pass-2026';
    const changed = await post(
      url,
      '/api/v1/auth/password',
      { currentPassword: oneTime, newPassword: chosen },
      signedIn.token,
    );
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as LoginResponse).passwordChangeRequired).toBe(false);
    expect(existsSync(file)).toBe(false);
    await first.stop();

    // As if the change had happened on another node of a cluster: the file is still here at the next start.
    await writeFile(file, `${oneTime}\n`, { mode: 0o600 });
    // A restart on the same data: nothing is generated again, the stale file goes, the chosen password stays.
    const again = await startBeaconProcess({ dataDir, env, seed: 'beacon' });
    cleanup.push(() => again.stop());
    expect(existsSync(file)).toBe(false);
    expect(again.output()).not.toContain(oneTime);
    expect((await post(again.url, '/api/v1/auth/login', { username: 'admin', password: oneTime })).status).toBe(401);
    const admin = await loginApi(again.url, 'admin', chosen);
    expect(admin.passwordChangeRequired).toBe(false);
    const me = await fetch(`${again.url}/api/v1/me`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(me.status).toBe(200);
  }, 120_000);
});

describe('first start with demo data (BEACON_DEMO=on)', () => {
  it('says so, and every demo account must change the published password first', async () => {
    const beacon = await startBeaconProcess({ env: { BEACON_DEMO: 'on' }, seed: 'beacon' });
    cleanup.push(() => beacon.stop());
    const { url } = beacon;
    expect(beacon.output()).toContain('演示数据 / demo data');
    expect(await (await fetch(`${url}/api/v1/auth/info`)).json()).toEqual({ demo: true });
    expect(existsSync(join(beacon.dataDir, 'initial-admin-password'))).toBe(false);

    for (const username of ['admin', 'chair', 'duty', 'lucheng']) {
      const session = await loginApi(url, username, DEMO_PASSWORD);
      expect(session.passwordChangeRequired, username).toBe(true);
      const rooms = await fetch(`${url}/api/v1/rooms`, { headers: { authorization: `Bearer ${session.token}` } });
      expect(rooms.status, username).toBe(403);
    }
    const chair = await loginApi(url, 'chair', DEMO_PASSWORD);
    expect(await handshakeRefusal(url, chair.token)).toBe('password_change_required');
    const changed = await post(
      url,
      '/api/v1/auth/password',
      { currentPassword: DEMO_PASSWORD, newPassword: 'city-leader-pass-9' },
      chair.token,
    );
    expect(changed.status).toBe(200);
    const { token } = (await changed.json()) as LoginResponse;
    expect((await fetch(`${url}/api/v1/rooms`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await handshakeRefusal(url, token)).toBe('connected');
  }, 120_000);
});
