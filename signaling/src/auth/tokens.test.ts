import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BeaconError } from '@beacon/protocol';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { type AuthClaims, resolveJwtSecret, TokenService } from './tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-that-is-long-enough-0123456789');
const claims: AuthClaims = {
  userId: 'u-lucheng',
  username: 'lucheng',
  displayName: '鹿城镇',
  role: 'township',
  townshipId: 'lucheng',
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  expect((error as BeaconError).code).toBe(code);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenService', () => {
  const tokens = new TokenService({ secret });

  it('round-trips claims, with sub = userId and the configured lifetime', async () => {
    const before = Date.now();
    const { token, expiresAt } = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ sub: 'u-lucheng', iss: 'beacon', aud: 'beacon-clients' });
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(43_190_000);
    expect(lifetime).toBeLessThanOrEqual(43_200_000);
    const admin = { ...claims, userId: 'u-admin', username: 'admin', role: 'admin' as const, townshipId: null };
    expect(await tokens.verify((await tokens.issue(admin)).token)).toEqual(admin);
  });

  it('round-trips the phone leg claims and a per-token lifetime', async () => {
    const leg: AuthClaims = { ...claims, userId: 'phone:8001', device: 'phone', extension: '8001' };
    const before = Date.now();
    const { token, expiresAt } = await tokens.issue(leg, { ttlSeconds: 86_400 });
    expect(await tokens.verify(token)).toEqual(leg);
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(86_390_000);
    const unknown: AuthClaims = { ...leg, role: 'service', townshipId: null, extension: null };
    expect(await tokens.verify((await tokens.issue(unknown)).token)).toEqual(unknown);
    // A browser token has neither claim, so nothing can mistake it for a phone.
    expect(await tokens.verify((await tokens.issue(claims)).token)).not.toHaveProperty('device');
  });

  it('refuses a device other than phone', async () => {
    const forged = await new SignJWT({ ...claims, device: 'gateway' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-x')
      .setIssuer('beacon')
      .setAudience('beacon-clients')
      .setExpirationTime('1h')
      .sign(secret);
    await expectCode(tokens.verify(forged), 'unauthorized');
  });

  it('reports an expired token as token_expired', async () => {
    const strict = new TokenService({ secret, clockToleranceSeconds: 0 });
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({
      username: 'lucheng',
      displayName: '鹿城镇',
      role: 'township',
      townshipId: 'lucheng',
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-lucheng')
      .setIssuer('beacon')
      .setAudience('beacon-clients')
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .sign(secret);
    await expectCode(strict.verify(expired), 'token_expired');
    // Within the clock tolerance the same token is still accepted.
    const tolerant = new TokenService({ secret, clockToleranceSeconds: 120 });
    expect((await tolerant.verify(expired)).userId).toBe('u-lucheng');
  });

  it('refuses a tampered token', async () => {
    const { token } = await tokens.issue(claims);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ sub: 'u-admin', username: 'admin', displayName: 'x', role: 'admin', townshipId: null, iss: 'beacon', aud: 'beacon-clients', exp: 9_999_999_999 })}.${signature}`;
    await expectCode(tokens.verify(forged), 'unauthorized');
    await expectCode(new TokenService({ secret: new Uint8Array(32) }).verify(token), 'unauthorized');
  });

  it("refuses alg 'none' and algorithms other than HS256", async () => {
    const payload = {
      sub: 'u-admin',
      username: 'admin',
      displayName: 'x',
      role: 'admin',
      townshipId: null,
      iss: 'beacon',
      aud: 'beacon-clients',
      exp: 9_999_999_999,
    };
    await expectCode(tokens.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`), 'unauthorized');
    const hs512 = await new SignJWT(payload).setProtectedHeader({ alg: 'HS512' }).sign(secret);
    await expectCode(tokens.verify(hs512), 'unauthorized');
  });

  it('refuses a wrong issuer or audience', async () => {
    const other = await new TokenService({ secret, issuer: 'someone-else' }).issue(claims);
    await expectCode(tokens.verify(other.token), 'unauthorized');
    const otherAudience = await new TokenService({ secret, audience: 'other' }).issue(claims);
    await expectCode(tokens.verify(otherAudience.token), 'unauthorized');
  });

  it('refuses garbage and tokens with missing or invalid claims', async () => {
    for (const garbage of ['', 'abc', 'a.b.c', 'Bearer x']) await expectCode(tokens.verify(garbage), 'unauthorized');
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u-x')
        .setIssuer('beacon')
        .setAudience('beacon-clients')
        .setExpirationTime('1h')
        .sign(secret);
    await expectCode(tokens.verify(await sign({ username: 'x', displayName: 'x', role: 'admin' })), 'unauthorized');
    await expectCode(
      tokens.verify(await sign({ username: 'x', displayName: 'x', role: 'root', townshipId: null })),
      'unauthorized',
    );
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new TokenService({ secret: new Uint8Array(16) })).toThrow(TypeError);
  });
});

describe('resolveJwtSecret', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('uses BEACON_JWT_SECRET when set', () => {
    const config = loadConfig({ BEACON_JWT_SECRET: 's'.repeat(40) });
    expect(Buffer.from(resolveJwtSecret(config)).toString()).toBe('s'.repeat(40));
  });

  it('generates a secret once, keeps it in <dataDir>/jwt-secret with mode 0600', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-secret-'));
    dirs.push(dir);
    const config = loadConfig({ BEACON_DATA_DIR: path.join(dir, 'nested') });
    const first = resolveJwtSecret(config);
    const file = path.join(dir, 'nested', 'jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.byteLength).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(Buffer.from(first).toString());
    expect(resolveJwtSecret(config)).toEqual(first);
  });
});
