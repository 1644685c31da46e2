/**
 * Password hashing with node:crypto scrypt. Stored format:
 * `scrypt$N$r$p$saltB64$hashB64` so parameters can be raised later without
 * invalidating existing hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

/** scrypt needs about 128·N·r bytes; refuse stored parameters beyond this (a DoS guard). */
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, keyLength: number, { n, r, p }: ScryptParams): Promise<Buffer> {
  const options = { N: n, r, p, maxmem: MAX_MEMORY + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_LENGTH, { n: N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** False for a wrong password and for a malformed stored string; never throws. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, nText, rText, pText, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const validN = Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
  const validRp = Number.isInteger(r) && r >= 1 && Number.isInteger(p) && p >= 1 && p <= 16;
  if (!validN || !validRp || 128 * n * r > MAX_MEMORY) return false;
  const salt = Buffer.from(saltB64, 'base64');
  const expected = Buffer.from(hashB64, 'base64');
  if (salt.length === 0 || expected.length < 16 || expected.length > 64) return false;
  try {
    const actual = await derive(password, salt, expected.length, { n, r, p });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}
