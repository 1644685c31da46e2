import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTurnSecret, TurnCredentials, turnPassword, turnUrls } from './TurnCredentials.ts';

const SECRET = 'beacon-turn-test-secret-0123456789abcdef';
/** 2026-01-01T00:00:00Z */
const NOW_MS = 1_767_225_600_000;

describe('TurnCredentials', () => {
  it('derives the password as base64(HMAC-SHA1(secret, username)) (vector from openssl dgst -sha1 -hmac)', () => {
    // echo -n "1767225600:u-lucheng" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
    expect(turnPassword(SECRET, '1767225600:u-lucheng')).toBe('2t+pPHuwI1giSznMfklW2tM+scI=');
  });

  it('mints "<unix expiry>:<userId>" with expiry = now + ttl', () => {
    const creds = new TurnCredentials({ secret: SECRET, ttlSeconds: 0, urls: ['turn:x:1'], now: () => NOW_MS });
    expect(creds.mint('u-lucheng')).toEqual({
      username: '1767225600:u-lucheng',
      credential: '2t+pPHuwI1giSznMfklW2tM+scI=',
      expiresAt: 1_767_225_600,
    });
    const twelveHours = new TurnCredentials({
      secret: SECRET,
      ttlSeconds: 43_200,
      urls: ['turn:x:1'],
      now: () => NOW_MS,
    });
    expect(twelveHours.mint('u-lucheng').username).toBe('1767268800:u-lucheng');
  });

  it('hands out one ICE server with every URL', () => {
    const urls = turnUrls('10.0.0.5', 3478);
    const creds = new TurnCredentials({ secret: SECRET, ttlSeconds: 60, urls, now: () => NOW_MS });
    expect(creds.iceServersFor('chair')).toEqual([
      {
        urls: ['turn:10.0.0.5:3478?transport=udp', 'turn:10.0.0.5:3478?transport=tcp'],
        username: '1767225660:chair',
        credential: turnPassword(SECRET, '1767225660:chair'),
      },
    ]);
    expect(turnUrls('fd00::5', 3478)[0]).toBe('turn:[fd00::5]:3478?transport=udp');
    expect(turnUrls('beacon.cx.example', 3478, 5349)).toEqual([
      'turn:beacon.cx.example:3478?transport=udp',
      'turn:beacon.cx.example:3478?transport=tcp',
      'turns:beacon.cx.example:5349?transport=tcp',
    ]);
  });

  it('refuses a short secret and a user id with the separator', () => {
    expect(() => new TurnCredentials({ secret: 'short', ttlSeconds: 60, urls: ['turn:x:1'] })).toThrow(TypeError);
    const creds = new TurnCredentials({ secret: SECRET, ttlSeconds: 60, urls: ['turn:x:1'] });
    expect(() => creds.mint('a:b')).toThrow(TypeError);
  });
});

describe('resolveTurnSecret', () => {
  it('uses BEACON_TURN_SECRET when set, else generates one file (0600) and reuses it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'beacon-turn-secret-'));
    try {
      expect(resolveTurnSecret({ dataDir, turn: { secret: SECRET } })).toBe(SECRET);
      const generated = resolveTurnSecret({ dataDir, turn: { secret: null } });
      expect(generated.length).toBeGreaterThanOrEqual(32);
      const file = path.join(dataDir, 'turn-secret');
      expect((await readFile(file, 'utf8')).trim()).toBe(generated);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(resolveTurnSecret({ dataDir, turn: { secret: null } })).toBe(generated);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
