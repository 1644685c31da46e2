/**
 * Handshake middleware: a socket without a valid JWT in `auth.token` never
 * connects. The client sees `connect_error` with `err.message` = the code and
 * `err.data = { code, message }`.
 */

import { BeaconError, type ErrorBody } from '@beacon/protocol';
import type { ExtendedError } from 'socket.io';
import { assertTokenCurrent } from '../auth/AccountSessions.ts';
import type { TokenService } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { BeaconSocket } from './types.ts';

const logger = createLogger('socket-auth');

function refusal(body: ErrorBody): ExtendedError {
  const err: ExtendedError = new Error(body.code);
  err.data = body;
  return err;
}

/** With `store`, an account disabled or changed since its token was issued is refused (assertTokenCurrent). */
export function authenticate(tokens: TokenService, store?: Pick<Store, 'users'>) {
  return async (socket: BeaconSocket, next: (err?: ExtendedError) => void): Promise<void> => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      next(refusal({ code: 'unauthorized', message: 'auth.token is required' }));
      return;
    }
    try {
      const claims = await tokens.verify(token);
      if (store) assertTokenCurrent(claims, await store.users.findById(claims.userId));
      socket.data.claims = claims;
      next();
    } catch (err) {
      const body: ErrorBody =
        err instanceof BeaconError ? err.toBody() : { code: 'unauthorized', message: 'invalid token' };
      if (!(err instanceof BeaconError)) logger.error({ err }, 'token verification failed unexpectedly');
      logger.debug({ code: body.code, address: socket.handshake.address }, 'handshake refused');
      next(refusal(body));
    }
  };
}
