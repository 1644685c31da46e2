/**
 * POST /api/v1/auth/login and the bearer middleware that guards the rest of
 * /api/v1. The verified claims are kept in `res.locals.claims`.
 */

import {
  BeaconError,
  type LoginRequest,
  type LoginResponse,
  loginRequestSchema,
  type UserView,
} from '@beacon/protocol';
import { type RequestHandler, type Response, Router } from 'express';
import { assertTokenCurrent } from '../auth/AccountSessions.ts';
import { verifyPassword } from '../auth/passwords.ts';
import type { AuthClaims, TokenService } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';
import type { BeaconMetrics } from '../metrics.ts';
import type { Store, UserRecord } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';

const logger = createLogger('auth');

const BAD_CREDENTIALS = 'invalid username or password';
// A well-formed hash no password matches: unknown users cost the same scrypt run as wrong passwords.
const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

export function userView(
  user: Pick<UserRecord, 'id' | 'username' | 'displayName' | 'role' | 'townshipId' | 'departmentId'>,
): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    townshipId: user.townshipId,
    departmentId: user.departmentId,
  };
}

export function claimsOf(res: Response): AuthClaims {
  const claims = res.locals.claims as AuthClaims | undefined;
  if (!claims) throw BeaconError.unauthorized();
  return claims;
}

export function loginRouter(deps: {
  store: Store;
  tokens: TokenService;
  metrics: Pick<BeaconMetrics, 'signInFailed'>;
}): Router {
  const router = Router();
  router.post('/login', async (req, res) => {
    let credentials: LoginRequest;
    try {
      credentials = parseOrBadRequest(loginRequestSchema, req.body);
    } catch (err) {
      deps.metrics.signInFailed('malformed');
      throw err;
    }
    const { username, password } = credentials;
    const user = await deps.store.users.findByUsername(username);
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid) {
      deps.metrics.signInFailed(user ? 'wrong_password' : 'unknown_user');
      logger.info({ username }, 'login refused');
      await deps.store.audit.append({ actorId: user?.id ?? null, action: 'auth.login_failed', detail: { username } });
      throw BeaconError.unauthorized(BAD_CREDENTIALS);
    }
    // Only after the password matched: a stranger cannot learn which accounts exist but are disabled.
    if (!user.enabled) {
      deps.metrics.signInFailed('account_disabled');
      logger.info({ username }, 'login refused: account disabled');
      await deps.store.audit.append({ actorId: user.id, action: 'auth.login_refused', detail: { reason: 'disabled' } });
      throw new BeaconError('account_disabled', '账号已停用 / this account is disabled');
    }
    const { token, expiresAt } = await deps.tokens.issue({
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      townshipId: user.townshipId,
      departmentId: user.departmentId,
    });
    await deps.store.audit.append({ actorId: user.id, action: 'auth.login' });
    logger.info({ username, role: user.role }, 'login');
    const body: LoginResponse = { token, expiresAt, user: userView(user) };
    res.json(body);
  });
  return router;
}

/**
 * Verifies the token; with `store`, also refuses the token of an account
 * disabled or changed since it was issued (see assertTokenCurrent).
 */
export function requireBearer(tokens: TokenService, store?: Pick<Store, 'users'>): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw BeaconError.unauthorized('Authorization: Bearer <token> required');
    const claims = await tokens.verify(match[1]);
    if (store) assertTokenCurrent(claims, await store.users.findById(claims.userId));
    res.locals.claims = claims;
    next();
  };
}
