/**
 * A socket lives as long as its token: it closes when the token expires,
 * unless the client hands it a renewed token first (`auth:renew`, after POST
 * /api/v1/auth/renew). The renewed token must pass what a handshake's does
 * and speak for the same account, role and unit; the socket then answers to
 * the new token (sign-out of it closes the socket) and lives until it expires.
 */
import { BeaconError } from '@beacon/protocol';
import { tokenRoom } from '../auth/AccountSessions.ts';
import { admitToken, assertPasswordChosen } from '../auth/tokenGate.ts';
import type { AuthClaims } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';
import type { BeaconSocket, HandlerContext } from './types.ts';

const logger = createLogger('socket');

/** setTimeout's longest delay (~24.8 days): a longer-lived token's socket closes then and reconnects. */
const MAX_TIMER_MS = 2_147_483_647;

const timers = new WeakMap<BeaconSocket, NodeJS.Timeout>();

/** (Re)arms the close at the expiry of the socket's current token. */
export function closeAtExpiry(socket: BeaconSocket): void {
  clearTimeout(timers.get(socket));
  const timer = setTimeout(
    () => {
      logger.info({ socketId: socket.id }, 'token expired: closing its socket');
      socket.disconnect(true);
    },
    Math.min(Math.max(socket.data.session.expiresAtMs - Date.now(), 0), MAX_TIMER_MS),
  );
  timer.unref();
  timers.set(socket, timer);
}

export function stopExpiry(socket: BeaconSocket): void {
  clearTimeout(timers.get(socket));
  timers.delete(socket);
}

const sameIdentity = (a: AuthClaims, b: AuthClaims): boolean =>
  a.userId === b.userId &&
  a.role === b.role &&
  a.townshipId === b.townshipId &&
  (a.departmentId ?? null) === (b.departmentId ?? null) &&
  a.device === b.device;

/** Moves the socket to `token`; throws what the handshake would, or `token_expired` for another identity. */
export async function adoptRenewedToken(ctx: HandlerContext, token: string): Promise<{ expiresAt: string }> {
  const { socket } = ctx;
  const { claims, session, user } = await admitToken(ctx.tokens, ctx.store, token);
  assertPasswordChosen(user);
  if (!sameIdentity(claims, socket.data.claims)) {
    // The account's role or unit changed (or another account's token): its rights are a new sign-in's.
    throw new BeaconError('token_expired', '账号已变更，请重新登录 / the account changed: sign in again');
  }
  const previous = socket.data.session;
  socket.data.session = session;
  if (previous.tokenId !== null && previous.tokenId !== session.tokenId)
    await socket.leave(tokenRoom(previous.tokenId));
  if (session.tokenId !== null) await socket.join(tokenRoom(session.tokenId));
  closeAtExpiry(socket);
  ctx.log.debug({ expiresAtMs: session.expiresAtMs }, 'token renewed');
  return { expiresAt: new Date(session.expiresAtMs).toISOString() };
}
