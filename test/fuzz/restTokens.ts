/**
 * The bearer tokens the REST fuzz sends: fresh valid ones for each role
 * (minted per route: a fuzzed sign-out revokes the one it carried), expired,
 * signed with another key, `alg: none`, and garbage.
 */
import { randomBytes } from 'node:crypto';
import type { AuthClaims } from '@beacon/signaling';
import { TokenService } from '@beacon/signaling';
import { loginApi } from '../src/signaling.ts';
import type { Random } from './random.ts';

export const TOKEN_KINDS = {
  valid: 50,
  none: 10,
  expired: 8,
  forged: 8,
  algNone: 6,
  garbage: 8,
} as const;
export type TokenKind = keyof typeof TOKEN_KINDS;

const STAFF = ['admin', 'chair', 'duty', 'lucheng'] as const;

export class RestTokens {
  readonly #real: TokenService;
  readonly #forger = new TokenService({ secret: randomBytes(32) });
  readonly #claims: AuthClaims[];

  private constructor(jwtSecret: string, claims: AuthClaims[]) {
    this.#real = new TokenService({ secret: new TextEncoder().encode(jwtSecret) });
    this.#claims = claims;
  }

  /** Signs each staff account in once, to learn its claims exactly as Beacon issues them. */
  static async create(url: string, jwtSecret: string): Promise<RestTokens> {
    const real = new TokenService({ secret: new TextEncoder().encode(jwtSecret) });
    const claims = await Promise.all(STAFF.map(async (username) => real.verify((await loginApi(url, username)).token)));
    return new RestTokens(jwtSecret, claims);
  }

  /** A fresh token of the admin account. */
  async admin(): Promise<string> {
    return this.of('admin');
  }

  /** A fresh token of one of the staff accounts (admin, chair, duty, lucheng). */
  async of(username: (typeof STAFF)[number]): Promise<string> {
    const claims = this.#claims.find((c) => c.username === username);
    if (!claims) throw new Error(`no claims for ${username}`);
    return (await this.#real.issue(claims)).token;
  }

  /** A token of this kind; null: no Authorization header. */
  async token(random: Random, kind: TokenKind): Promise<string | null> {
    const claims = random.pick(this.#claims);
    switch (kind) {
      case 'valid':
        return (await this.#real.issue(claims)).token;
      case 'none':
        return null;
      case 'expired':
        return (await this.#real.issue(claims, { ttlSeconds: -3_600 })).token;
      case 'forged':
        return (await this.#forger.issue({ ...claims, role: 'admin' })).token;
      case 'algNone': {
        const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const exp = Math.floor(Date.now() / 1000) + 3_600;
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: claims.userId, role: 'admin', exp, iss: 'beacon', aud: 'beacon-clients', username: 'admin', displayName: 'x', townshipId: null })}.`;
      }
      case 'garbage':
        return random.pick(['', 'null', 'a.b.c', 'Bearer', '\u00ff'.repeat(100), 'x'.repeat(9_000), '..']);
    }
  }
}
