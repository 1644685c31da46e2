/**
 * Ends what a disabled account still holds open. The admin routes call
 * `disabled(userId)`; the socket server (socket/createSocketServer.ts)
 * listens and disconnects every socket of that user — on every node, since
 * socket.io's Redis adapter carries `disconnectSockets` across the cluster.
 * Like SipBridge, this side does not know socket.io.
 */
import { TypedEmitter } from '@beacon/common';
import { BeaconError } from '@beacon/protocol';
import type { UserRecord } from '../store/index.ts';
import type { AuthClaims } from './tokens.ts';

export type AccountSessionsEvents = {
  /** Close every socket of this user now. */
  revoke: [{ userId: string; reason: string }];
  /** Close every socket opened with this token (its `jti`) now. */
  revokeToken: [{ tokenId: string; reason: string }];
};

/** The socket.io room each socket of a user joins at connection. */
export const userRoom = (userId: string): string => `user:${userId}`;

/** The socket.io room each socket joins for the token it connected with. */
export const tokenRoom = (tokenId: string): string => `token:${tokenId}`;

export class AccountSessions extends TypedEmitter<AccountSessionsEvents> {
  disabled(userId: string): void {
    this.safeEmit('revoke', { userId, reason: 'account_disabled' });
  }

  /** Role or unit changed: the sockets close, and their tokens are refused (`assertTokenCurrent`). */
  changed(userId: string): void {
    this.safeEmit('revoke', { userId, reason: 'account_changed' });
  }

  /** Its password was changed or reset: every token issued before is refused (tokensValidAfter). */
  passwordChanged(userId: string): void {
    this.safeEmit('revoke', { userId, reason: 'password_changed' });
  }

  /** Signed out: the sockets opened with this token close. */
  signedOut(tokenId: string): void {
    this.safeEmit('revokeToken', { tokenId, reason: 'signed_out' });
  }
}

/**
 * Refuses a token whose account was disabled (`account_disabled`) or given
 * another role or unit (`token_expired`: sign in again for the new claims)
 * since the token was issued. Tokens of callers without an account row (the
 * gateway, phone legs) pass.
 */
export function assertTokenCurrent(claims: AuthClaims, user: UserRecord | undefined): void {
  if (!user) return;
  if (!user.enabled) throw new BeaconError('account_disabled', '账号已停用 / this account is disabled');
  const stale =
    user.role !== claims.role ||
    user.townshipId !== claims.townshipId ||
    user.departmentId !== (claims.departmentId ?? null);
  if (stale) throw new BeaconError('token_expired', '账号已变更，请重新登录 / the account changed: sign in again');
}
