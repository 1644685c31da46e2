/**
 * Handshake middleware: a socket without a valid JWT in `auth.token` never
 * connects. The client sees `connect_error` with `err.message` = the code and
 * `err.data = { code, message }`.
 */

import { BeaconError, type ErrorBody } from '@beacon/protocol';
import type { ExtendedError } from 'socket.io';
import type { FailureAudit } from '../auth/throttle/FailureAudit.ts';
import { admitToken, assertPasswordChosen, type GateStore } from '../auth/tokenGate.ts';
import type { TokenService } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';
import type { BeaconSocket } from './types.ts';

const logger = createLogger('socket-auth');

function refusal(body: ErrorBody): ExtendedError {
  const err: ExtendedError = new Error(body.code);
  err.data = body;
  return err;
}

/**
 * Refuses what auth/tokenGate.ts refuses, and an account that must change its
 * password first (`password_change_required`): no socket event is open to it.
 */
export function authenticate(tokens: TokenService, store: GateStore, failures?: Pick<FailureAudit, 'record'>) {
  // Aggregated per address and window (one audit row a minute per address, not one per try).
  const audit = (socket: BeaconSocket, reason: string) =>
    failures?.record({ username: '', address: socket.handshake.address, actorId: null, reason });
  return async (socket: BeaconSocket, next: (err?: ExtendedError) => void): Promise<void> => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      audit(socket, 'no_token');
      next(refusal({ code: 'unauthorized', message: 'auth.token is required' }));
      return;
    }
    try {
      const { claims, session, user } = await admitToken(tokens, store, token);
      assertPasswordChosen(user);
      socket.data.claims = claims;
      socket.data.session = session;
      next();
    } catch (err) {
      const body: ErrorBody =
        err instanceof BeaconError ? err.toBody() : { code: 'unauthorized', message: 'invalid token' };
      if (!(err instanceof BeaconError)) logger.error({ err }, 'token verification failed unexpectedly');
      logger.debug({ code: body.code, address: socket.handshake.address }, 'handshake refused');
      audit(socket, body.code);
      next(refusal(body));
    }
  };
}
