/**
 * Turns whatever a handler threw into the `{ code, message }` a client can
 * switch on. Only BeaconError and MediaError messages reach clients; anything
 * else is a bug, logged with its stack and answered as 'internal'.
 */

import { BeaconError, type ErrorBody, type ErrorCode } from '@beacon/protocol';
import type { Logger } from 'pino';

/** MediaError codes (media-server's contract) → protocol codes. */
const MEDIA_CODES: Record<string, ErrorCode> = {
  room_not_found: 'room_not_found',
  peer_not_found: 'not_in_room',
  transport_not_found: 'transport_not_found',
  producer_not_found: 'producer_not_found',
  consumer_not_found: 'consumer_not_found',
  cannot_consume: 'cannot_consume',
  invalid_state: 'media_error',
  target_not_allowed: 'forbidden',
  recording_id_invalid: 'bad_request',
  // A media node's fault (audited), not the client's: the consume fails like any media failure.
  pipe_endpoint_not_registered: 'media_error',
};

function isMediaError(err: unknown): err is Error & { code: string } {
  // Matched by name, not instanceof: the media layer may be a remote implementation.
  return err instanceof Error && err.name === 'MediaError' && typeof (err as { code?: unknown }).code === 'string';
}

export function toErrorBody(err: unknown, log: Logger, context: Record<string, unknown> = {}): ErrorBody {
  if (err instanceof BeaconError) {
    log.debug({ ...context, code: err.code, reason: err.message }, 'request refused');
    return err.toBody();
  }
  if (isMediaError(err)) {
    const code = MEDIA_CODES[err.code] ?? 'media_error';
    log.debug({ ...context, code, mediaCode: err.code }, 'media refused request');
    return { code, message: err.message };
  }
  log.error({ ...context, err }, 'handler failed');
  return { code: 'internal', message: 'internal error' };
}
