/**
 * Digest authentication of REGISTER (RFC 2617 with MD5, as GB/T 28181-2016
 * §9.1.2.1 requires: realm = the platform's domain code, username = the
 * device ID). Nonces are stateless: a timestamp and an HMAC of it under a key
 * that lives in this process only, so a nonce from a restarted platform or
 * older than `NONCE_TTL_MS` is stale and the device is challenged again.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const NONCE_TTL_MS = 5 * 60_000;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** The parameters of `Authorization: Digest k="v", k=v, …`; null when it is not Digest. */
export function parseAuthorization(value: string): DigestCredentials | null {
  const match = /^Digest\s+(.*)$/is.exec(value.trim());
  if (!match) return null;
  const params: Record<string, string> = {};
  for (const part of (match[1] as string).matchAll(/([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) {
    params[(part[1] as string).toLowerCase()] = part[2] ?? part[3] ?? '';
  }
  const { username, realm, nonce, uri, response } = params;
  if (!username || !realm || !nonce || !uri || !response) return null;
  return { username, realm, nonce, uri, response, qop: params.qop, nc: params.nc, cnonce: params.cnonce };
}

export class DigestAuth {
  readonly #key = randomBytes(32);

  constructor(readonly realm: string) {}

  newNonce(now = Date.now()): string {
    const stamp = now.toString(16);
    return `${stamp}.${createHmac('sha256', this.#key).update(stamp).digest('hex').slice(0, 32)}`;
  }

  challenge(stale = false): string {
    return `Digest realm="${this.realm}", nonce="${this.newNonce()}", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** 'ok', 'stale' (a good answer to an old or foreign nonce: challenge again) or 'wrong'. */
  /** Checks an answer against the stored HA1 (md5 of `user:realm:password`): the platform never keeps the password. */
  verify(credentials: DigestCredentials, method: string, ha1: string, now = Date.now()): 'ok' | 'stale' | 'wrong' {
    if (credentials.realm !== this.realm) return 'wrong';
    const ha2 = md5(`${method}:${credentials.uri}`);
    const expected =
      credentials.qop === 'auth'
        ? md5(`${ha1}:${credentials.nonce}:${credentials.nc ?? ''}:${credentials.cnonce ?? ''}:auth:${ha2}`)
        : md5(`${ha1}:${credentials.nonce}:${ha2}`);
    const given = Buffer.from(credentials.response.toLowerCase());
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return 'wrong';
    return this.#fresh(credentials.nonce, now) ? 'ok' : 'stale';
  }

  #fresh(nonce: string, now: number): boolean {
    const [stamp, mac] = nonce.split('.');
    if (!stamp || !mac) return false;
    const expected = createHmac('sha256', this.#key).update(stamp).digest('hex').slice(0, 32);
    if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return false;
    const age = now - Number.parseInt(stamp, 16);
    return age >= 0 && age <= NONCE_TTL_MS;
  }
}

/** The secret the store keeps for a device: md5(`deviceId:realm:password`), as Kamailio keeps its subscribers'. */
export const digestHa1 = (username: string, realm: string, password: string): string =>
  md5(`${username}:${realm}:${password}`);

/** What a device computes (the simulator and tests use it). */
export function digestResponse(opts: {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
}): string {
  const ha1 = md5(`${opts.username}:${opts.realm}:${opts.password}`);
  return md5(`${ha1}:${opts.nonce}:${md5(`${opts.method}:${opts.uri}`)}`);
}
