/**
 * A station's one secret: the HTTP bearer token is also its MQTT password. Stored twice hashed: SHA-256 for the
 * HTTP ingest (a random 192-bit token cannot be guessed, so a slow hash would only cost CPU at 400 readings/s),
 * and PBKDF2-SHA512 in mosquitto's own `$7$` format for its password file (what `mosquitto_passwd` writes:
 * 101 iterations, a 12-byte salt, base64). Generating the line here saves running `mosquitto_passwd` per station.
 */
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StationSecrets } from '../store/stationTypes.ts';

const MOSQUITTO_ITERATIONS = 101;

export function newStationToken(): { token: string; secrets: StationSecrets } {
  const token = randomBytes(24).toString('base64url');
  return { token, secrets: stationSecrets(token) };
}

export function stationSecrets(token: string): StationSecrets {
  return { tokenHash: sha256(token), mqttHash: mosquittoHash(token) };
}

export function tokenMatches(token: string, tokenHash: string): boolean {
  const a = Buffer.from(sha256(token), 'hex');
  const b = Buffer.from(tokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `$7$<iterations>$<salt>$<hash>`: mosquitto 2's PBKDF2-SHA512 password hash. */
export function mosquittoHash(password: string, salt = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, MOSQUITTO_ITERATIONS, 64, 'sha512');
  return `$7$${MOSQUITTO_ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
