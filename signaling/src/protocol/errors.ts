/**
 * Error codes shared by the server (socket acks, REST bodies, handshake
 * errors) and clients, which switch on them. Browser-safe: no Node imports.
 */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'token_expired',
  'forbidden',
  'not_found',
  'room_not_found',
  'room_locked',
  'room_ended',
  'resume_failed',
  'invalid_state',
  'recording_failed',
  'not_in_room',
  'already_in_room',
  'transport_not_found',
  'producer_not_found',
  'consumer_not_found',
  'cannot_consume',
  'media_unavailable',
  'media_error',
  'rate_limited',
  'wrong_pin',
  'sip_unavailable',
  'extension_not_found',
  'invalid_transition',
  'cap_invalid',
  'terminal_offline',
  'store_unavailable',
  'node_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** Every client→server event is answered with one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * The one error class of Beacon. Named constructors keep call sites short
 * and codes consistent; `cause` keeps the original error for logs.
 */
export class BeaconError extends Error {
  override readonly name = 'BeaconError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static badRequest(message: string): BeaconError {
    return new BeaconError('bad_request', message);
  }
  static unauthorized(message = 'authentication required'): BeaconError {
    return new BeaconError('unauthorized', message);
  }
  static forbidden(message = 'not allowed for your role'): BeaconError {
    return new BeaconError('forbidden', message);
  }
  static notFound(what: string): BeaconError {
    return new BeaconError('not_found', `${what} not found`);
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}
