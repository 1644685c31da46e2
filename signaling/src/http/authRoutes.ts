/**
 * POST /api/v1/auth/login and the bearer middleware that guards the rest of
 * /api/v1. The verified claims are kept in `res.locals.claims`.
 */

import {
  type AuthInfo,
  BeaconError,
  type LoginRequest,
  type LoginResponse,
  loginRequestSchema,
  type UserView,
} from '@beacon/protocol';
import { type RequestHandler, type Response, Router } from 'express';
import { verifyPassword } from '../auth/passwords.ts';
import type { FailureAudit } from '../auth/throttle/FailureAudit.ts';
import type { SignInThrottle } from '../auth/throttle/SignInThrottle.ts';
import { admitToken, assertPasswordChosen, type GateStore } from '../auth/tokenGate.ts';
import type { AuthClaims, TokenService, TokenSession } from '../auth/tokens.ts';
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

export interface LoginDeps {
  store: Store;
  tokens: TokenService;
  metrics: Pick<BeaconMetrics, 'signInFailed'>;
  /** Failed sign-ins per account and address (auth/throttle). */
  throttle: SignInThrottle;
  /** The aggregated audit of failed sign-ins. */
  failures: FailureAudit;
  /** BEACON_DEMO=on (GET /auth/info tells the console, which shows a banner). Default false. */
  demo?: boolean;
}

export function loginRouter(deps: LoginDeps): Router {
  const router = Router();
  // Open to anyone: the sign-in page says it is a demo before anyone signs in.
  router.get('/info', (_req, res) => {
    const body: AuthInfo = { demo: deps.demo ?? false };
    res.json(body);
  });
  router.post('/login', async (req, res) => {
    let credentials: LoginRequest;
    try {
      credentials = parseOrBadRequest(loginRequestSchema, req.body);
    } catch (err) {
      deps.metrics.signInFailed('malformed');
      throw err;
    }
    const { username, password } = credentials;
    const attempt = { username, address: req.ip ?? 'unknown' };
    try {
      // Before any look-up or scrypt run: a blocked flood costs nothing.
      await deps.throttle.assertAllowed(attempt);
    } catch (err) {
      deps.metrics.signInFailed('rate_limited');
      throw err;
    }
    const user = await deps.store.users.findByUsername(username);
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !valid) {
      const reason = user ? 'wrong_password' : 'unknown_user';
      deps.metrics.signInFailed(reason);
      await deps.throttle.failed(attempt);
      deps.failures.record({ ...attempt, actorId: user?.id ?? null, reason });
      logger.info({ username, address: attempt.address }, 'login refused');
      throw BeaconError.unauthorized(BAD_CREDENTIALS);
    }
    // Only after the password matched: a stranger cannot learn which accounts exist but are disabled.
    if (!user.enabled) {
      deps.metrics.signInFailed('account_disabled');
      logger.info({ username }, 'login refused: account disabled');
      await deps.store.audit.append({ actorId: user.id, action: 'auth.login_refused', detail: { reason: 'disabled' } });
      throw new BeaconError('account_disabled', '账号已停用 / this account is disabled');
    }
    await deps.throttle.succeeded(attempt);
    const { token, expiresAt } = await issueFor(deps.tokens, user);
    await deps.store.audit.append({ actorId: user.id, action: 'auth.login' });
    logger.info({ username, role: user.role }, 'login');
    const body: LoginResponse = {
      token,
      expiresAt,
      user: userView(user),
      passwordChangeRequired: user.mustChangePassword,
    };
    res.json(body);
  });
  return router;
}

export function issueFor(tokens: TokenService, user: UserRecord): Promise<{ token: string; expiresAt: string }> {
  return tokens.issue({
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    townshipId: user.townshipId,
    departmentId: user.departmentId,
  });
}

export function sessionOf(res: Response): TokenSession {
  const session = res.locals.session as TokenSession | undefined;
  if (!session) throw BeaconError.unauthorized();
  return session;
}

/** Who may still ask while their password must change: reading who they are. */
const OPEN_DURING_PASSWORD_CHANGE = new Set(['GET /me']);

/**
 * Verifies the token and refuses a signed-out one, or one of an account
 * disabled, changed or given a new password since (see auth/tokenGate.ts).
 * An account that must change its password gets `password_change_required`
 * unless `allowPasswordChange` (the password and sign-out routes).
 */
export function requireBearer(
  tokens: TokenService,
  store: GateStore,
  opts: { allowPasswordChange?: boolean } = {},
): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw BeaconError.unauthorized('Authorization: Bearer <token> required');
    const { claims, session, user } = await admitToken(tokens, store, match[1]);
    if (!opts.allowPasswordChange && !OPEN_DURING_PASSWORD_CHANGE.has(`${req.method} ${req.path}`)) {
      assertPasswordChosen(user);
    }
    res.locals.claims = claims;
    res.locals.session = session;
    next();
  };
}
