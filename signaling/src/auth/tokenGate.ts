/**
 * Everything a presented token must pass, for REST and socket handshakes
 * alike: a valid signature and lifetime, not signed out (revoked `jti`), its
 * account enabled and unchanged (assertTokenCurrent), and issued after the
 * account's last password change.
 */
import { BeaconError } from '@beacon/protocol';
import type { Store, UserRecord } from '../store/index.ts';
import { assertTokenCurrent } from './AccountSessions.ts';
import type { AuthClaims, TokenService, TokenSession } from './tokens.ts';

export interface AdmittedToken {
  claims: AuthClaims;
  session: TokenSession;
  /** Undefined for callers without an account row (the gateway, phone legs). */
  user: UserRecord | undefined;
}

export type GateStore = Pick<Store, 'users' | 'revokedTokens'>;

export async function admitToken(tokens: TokenService, store: GateStore, token: string): Promise<AdmittedToken> {
  const { claims, session } = await tokens.verifySession(token);
  if (session.tokenId !== null && (await store.revokedTokens.isRevoked(session.tokenId))) {
    throw BeaconError.unauthorized('已退出登录 / this token was signed out');
  }
  const user = await store.users.findById(claims.userId);
  assertTokenCurrent(claims, user);
  if (user?.tokensValidAfter && session.issuedAtMs < Date.parse(user.tokensValidAfter)) {
    throw new BeaconError('token_expired', '密码已更改，请重新登录 / the password changed: sign in again');
  }
  return { claims, session, user };
}

/** A password someone else chose must be replaced before the account does anything else. */
export function assertPasswordChosen(user: UserRecord | undefined): void {
  if (user?.mustChangePassword) {
    throw new BeaconError('password_change_required', '请先修改密码 / change your password before going on');
  }
}
