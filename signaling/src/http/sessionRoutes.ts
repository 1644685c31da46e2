/**
 * The signed-in user's own session: POST /api/v1/auth/password (change the
 * password: the current one, then a different one that meets the policy),
 * POST /api/v1/auth/renew (a fresh token before this one expires) and POST
 * /api/v1/auth/logout (revoke the presented token). All stay open to an
 * account that must change its password.
 */

import { BeaconError, changePasswordRequestSchema, type LoginResponse } from '@beacon/protocol';
import { Router } from 'express';
import { auditedChange } from '../audit/auditedChange.ts';
import type { AccountSessions } from '../auth/AccountSessions.ts';
import { assertPasswordAcceptable } from '../auth/passwordPolicy.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { createLogger } from '../logger.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf, issueFor, type LoginDeps, requireBearer, sessionOf, userView } from './authRoutes.ts';

const logger = createLogger('auth');

export function sessionRouter(deps: LoginDeps & { accounts: AccountSessions }): Router {
  const { store, throttle, failures, accounts } = deps;
  const router = Router();
  router.use(['/password', '/logout', '/renew'], requireBearer(deps.tokens, store, { allowPasswordChange: true }));

  router.post('/password', async (req, res) => {
    const claims = claimsOf(res);
    const user = await store.users.findById(claims.userId);
    if (!user) throw BeaconError.unauthorized('user no longer exists');
    // A stolen token must not become a way to guess the password without the sign-in's limits.
    const attempt = { username: user.username, address: req.ip ?? 'unknown' };
    await throttle.assertAllowed(attempt);
    const { currentPassword, newPassword } = parseOrBadRequest(changePasswordRequestSchema, req.body);
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      await throttle.failed(attempt);
      failures.record({ ...attempt, actorId: user.id, reason: 'wrong_current_password' });
      throw new BeaconError('wrong_password', '当前密码错误 / the current password is wrong');
    }
    // Checked before the policy: a forced change must not be met by typing the same password again.
    if (newPassword.normalize('NFC') === currentPassword.normalize('NFC')) {
      throw new BeaconError(
        'password_unchanged',
        '新密码不能与当前密码相同 / the new password must differ from the current one',
      );
    }
    assertPasswordAcceptable(newPassword, user.username);
    const passwordHash = await hashPassword(newPassword);
    const changed = await auditedChange(
      store,
      { actorId: user.id, role: user.role },
      (tx) => tx.users.setPassword(user.id, passwordHash, { mustChange: false }),
      () => ({ action: 'auth.password_changed', target: user.id }),
    );
    await throttle.succeeded(attempt);
    // Every token issued before (this one too) is refused from now; the answer carries a fresh one.
    accounts.passwordChanged(user.id);
    logger.info({ username: user.username }, 'password changed');
    const { token, expiresAt } = await issueFor(deps.tokens, changed);
    const body: LoginResponse = { token, expiresAt, user: userView(changed), passwordChangeRequired: false };
    res.json(body);
  });

  // A fresh token for a valid, unrevoked one (requireBearer checked it): the console renews before expiry
  // and hands the new token to its sockets (socket event `auth:renew`), which then stay open past the old one's.
  router.post('/renew', async (_req, res) => {
    const claims = claimsOf(res);
    const user = await store.users.findById(claims.userId);
    // Accounts only: the gateway's and phone legs' tokens are issued by this node and renewed by reissuing.
    if (!user) throw BeaconError.forbidden('only an account renews its token');
    const { token, expiresAt } = await issueFor(deps.tokens, user);
    logger.debug({ username: user.username }, 'token renewed');
    const body: LoginResponse = {
      token,
      expiresAt,
      user: userView(user),
      passwordChangeRequired: user.mustChangePassword,
    };
    res.json(body);
  });

  router.post('/logout', async (_req, res) => {
    const claims = claimsOf(res);
    const { tokenId, expiresAtMs } = sessionOf(res);
    await auditedChange(
      store,
      { actorId: claims.userId, role: claims.role },
      async (tx) => {
        if (tokenId !== null) await tx.revokedTokens.revoke(tokenId, new Date(expiresAtMs));
      },
      () => ({ action: 'auth.logout', target: null }),
    );
    if (tokenId !== null) accounts.signedOut(tokenId);
    // Forgetting expired revocations here keeps the table as small as the set of live signed-out tokens.
    void store.revokedTokens.prune().catch((err: unknown) => logger.warn({ err }, 'pruning revoked tokens failed'));
    res.status(204).end();
  });
  return router;
}
