/**
 * POST /api/v1/admin/users/:id/password: an admin sets a temporary password
 * or has Beacon pick a random one (returned once, in this answer). Either
 * way the user must change it at the next sign-in; its tokens are refused
 * and its sockets closed at once. The audit records that it happened, never
 * the password.
 */
import { randomBytes } from 'node:crypto';
import { BeaconError, type ResetPasswordResponse, resetPasswordRequestSchema } from '@beacon/protocol';
import type { Router } from 'express';
import type { AccountSessions } from '../../auth/AccountSessions.ts';
import { assertPasswordAcceptable } from '../../auth/passwordPolicy.ts';
import { hashPassword } from '../../auth/passwords.ts';
import type { Store } from '../../store/index.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { adminChange } from './administeredKind.ts';

/** 16 characters of base64url: ~96 bits, well beyond guessing, short enough to read out on the phone. */
export const randomPassword = (): string => randomBytes(12).toString('base64url');

export function passwordResetRoute(router: Router, deps: { store: Store; accounts: AccountSessions }): void {
  router.post('/admin/users/:id/password', async (req, res) => {
    const { password } = parseOrBadRequest(resetPasswordRequestSchema, req.body ?? {});
    const user = await deps.store.users.findById(req.params.id ?? '');
    if (!user) throw BeaconError.notFound('user');
    if (password !== undefined) assertPasswordAcceptable(password, user.username);
    const chosen = password ?? randomPassword();
    const passwordHash = await hashPassword(chosen);
    await adminChange(
      deps.store,
      res,
      (tx) => tx.users.setPassword(user.id, passwordHash, { mustChange: true }),
      () => ({
        action: 'admin.user.reset_password',
        target: user.id,
        detail: { username: user.username, generated: password === undefined },
      }),
    );
    deps.accounts.passwordChanged(user.id);
    const body: ResetPasswordResponse = { password: password === undefined ? chosen : null, mustChangePassword: true };
    res.json(body);
  });
}
