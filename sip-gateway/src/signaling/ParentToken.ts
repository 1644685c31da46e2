/**
 * The gateway's service token, from the signaling process that started it,
 * over the IPC channel — never in the environment, which Kamailio, espeak-ng
 * and sox would inherit and which /proc shows to the same user. The token is
 * short-lived: signaling pushes a fresh one before the last expires, and the
 * service socket presents the newest on every (re)connection.
 *
 * Messages: child → parent `{ type: 'beacon:gateway-token-request' }`;
 * parent → child `{ type: 'beacon:gateway-token', token }` (on request and
 * on every renewal).
 */
import { CodedError } from '@beacon/common';
import { z } from 'zod';
import { createLogger } from '../logger.ts';

const logger = createLogger('ParentToken');

export const TOKEN_REQUEST = { type: 'beacon:gateway-token-request' } as const;
const tokenMessage = z.object({ type: z.literal('beacon:gateway-token'), token: z.string().min(1).max(8192) });

export class ParentTokenError extends CodedError<'no_parent_token'> {
  override readonly name = 'ParentTokenError';
}

export class ParentToken {
  #token: string;

  private constructor(token: string) {
    this.#token = token;
    process.on('message', (message: unknown) => {
      const parsed = tokenMessage.safeParse(message);
      if (!parsed.success) return;
      this.#token = parsed.data.token;
      logger.debug('service token renewed');
    });
  }

  /** The newest token signaling gave us. */
  get current(): string {
    return this.#token;
  }

  /** Asks the parent (signaling) for the token; rejects without an IPC channel or an answer within `timeoutMs`. */
  static fromParent(timeoutMs = 10_000): Promise<ParentToken> {
    return new Promise((resolve, reject) => {
      if (!process.send) {
        reject(new ParentTokenError('no_parent_token', 'no BEACON_GATEWAY_TOKEN and no signaling parent to ask'));
        return;
      }
      const timer = setTimeout(() => {
        process.off('message', onMessage);
        reject(new ParentTokenError('no_parent_token', `signaling sent no service token within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message: unknown) => {
        const parsed = tokenMessage.safeParse(message);
        if (!parsed.success) return;
        clearTimeout(timer);
        process.off('message', onMessage);
        resolve(new ParentToken(parsed.data.token));
      };
      process.on('message', onMessage);
      process.send(TOKEN_REQUEST);
    });
  }
}
