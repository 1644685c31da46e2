/**
 * Access tokens: HS256 JWTs via jose. The algorithm, issuer and audience are
 * pinned on verify; the payload is validated with zod, so a token signed with
 * our secret but missing a claim is still refused.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Role } from '@beacon/protocol';
import { ACCOUNT_ROLES, BeaconError } from '@beacon/protocol';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.ts';

export interface AuthClaims {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  townshipId: string | null;
  /** The department a `department` account (or a department's phone leg) speaks for; absent: none. */
  departmentId?: string | null;
  /** Set on a SIP gateway leg token: the socket speaks for one phone call (see socket/deviceAccess.ts). */
  device?: 'phone';
  /** The phone's extension when it is known (leg tokens only). */
  extension?: string | null;
}

/** What identifies one issued token, beside the claims: sign-out and password changes act on it. */
export interface TokenSession {
  /** The `jti`; null for tokens issued before tokens carried one. */
  tokenId: string | null;
  /** When it was issued, in ms (the `iat` claim is whole seconds, too coarse to order a sign-in and a password change). */
  issuedAtMs: number;
  /** When it expires, in ms. */
  expiresAtMs: number;
}

export const ROLES = ACCOUNT_ROLES satisfies readonly Role[];
export const roleSchema = z.enum(ROLES);

const ALGORITHM = 'HS256';

const payloadSchema = z.object({
  sub: z.string().min(1),
  username: z.string().min(1),
  displayName: z.string(),
  role: roleSchema,
  townshipId: z.string().min(1).nullable(),
  // Optional: tokens issued before departments existed carry none.
  departmentId: z.string().min(1).nullable().optional(),
  // Optional: only a phone leg's token carries them (browser and gateway tokens do not).
  device: z.literal('phone').optional(),
  extension: z.string().min(1).max(64).nullable().optional(),
  jti: z.string().min(1).max(64).optional(),
  iat: z.number().optional(),
  iatMs: z.number().optional(),
  exp: z.number(),
});

export interface TokenServiceOptions {
  secret: Uint8Array;
  /** Default 'beacon'. */
  issuer?: string;
  /** Default 'beacon-clients'. */
  audience?: string;
  /** Default 43200 (12 h). */
  ttlSeconds?: number;
  /** Default 30. */
  clockToleranceSeconds?: number;
}

export class TokenService {
  readonly #secret: Uint8Array;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSeconds: number;
  readonly #clockTolerance: number;

  constructor(opts: TokenServiceOptions) {
    if (opts.secret.byteLength < 32) throw new TypeError('JWT secret must be at least 32 bytes');
    this.#secret = opts.secret;
    this.#issuer = opts.issuer ?? 'beacon';
    this.#audience = opts.audience ?? 'beacon-clients';
    this.#ttlSeconds = opts.ttlSeconds ?? 43_200;
    this.#clockTolerance = opts.clockToleranceSeconds ?? 30;
  }

  /** `ttlSeconds` overrides the service's lifetime for this token (phone legs, the gateway's service token). */
  async issue(claims: AuthClaims, opts: { ttlSeconds?: number } = {}): Promise<{ token: string; expiresAt: string }> {
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const exp = now + (opts.ttlSeconds ?? this.#ttlSeconds);
    const token = await new SignJWT({
      username: claims.username,
      displayName: claims.displayName,
      role: claims.role,
      townshipId: claims.townshipId,
      ...(claims.departmentId ? { departmentId: claims.departmentId } : {}),
      ...(claims.device === undefined ? {} : { device: claims.device }),
      ...(claims.extension === undefined ? {} : { extension: claims.extension }),
      iatMs: nowMs,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setJti(randomBytes(16).toString('base64url'))
      .setSubject(claims.userId)
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.#secret);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Throws BeaconError 'token_expired' for an expired token, 'unauthorized' for anything else. */
  async verify(token: string): Promise<AuthClaims> {
    return (await this.verifySession(token)).claims;
  }

  /** `verify`, plus the token's id and lifetime (see TokenSession). */
  async verifySession(token: string): Promise<{ claims: AuthClaims; session: TokenSession }> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.#secret, {
        algorithms: [ALGORITHM],
        issuer: this.#issuer,
        audience: this.#audience,
        clockTolerance: this.#clockTolerance,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        throw new BeaconError('token_expired', 'token expired', { cause: err });
      }
      throw new BeaconError('unauthorized', 'invalid token', { cause: err });
    }
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) throw new BeaconError('unauthorized', 'invalid token claims', { cause: parsed.error });
    const { sub, username, displayName, role, townshipId, departmentId, device, extension } = parsed.data;
    const { jti, iat, iatMs, exp } = parsed.data;
    const claims: AuthClaims = { userId: sub, username, displayName, role, townshipId };
    if (departmentId) claims.departmentId = departmentId;
    if (device !== undefined) claims.device = device;
    if (extension !== undefined) claims.extension = extension;
    const session: TokenSession = {
      tokenId: jti ?? null,
      issuedAtMs: iatMs ?? (iat ?? 0) * 1000,
      expiresAtMs: exp * 1000,
    };
    return { claims, session };
  }
}

const SECRET_FILE = 'jwt-secret';

/**
 * The HS256 secret: BEACON_JWT_SECRET when set, otherwise a random secret
 * generated on first start and kept in `<dataDir>/jwt-secret` (mode 0600) so
 * tokens survive restarts.
 */
export function resolveJwtSecret(config: Config): Uint8Array {
  if (config.jwtSecret !== undefined) return new TextEncoder().encode(config.jwtSecret);
  mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, SECRET_FILE);
  try {
    writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters; delete it to regenerate`);
  return new TextEncoder().encode(secret);
}
