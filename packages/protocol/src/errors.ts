/**
 * Error codes shared by the server (socket acks, REST bodies, handshake
 * errors) and clients, which switch on them. Browser-safe and zod-free: the
 * console imports this through `@beacon/protocol/constants`.
 */
import { CodedError } from '@beacon/common/errors';

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'token_expired',
  'forbidden',
  'account_disabled',
  'password_change_required',
  'wrong_password',
  'password_too_short',
  'password_is_username',
  'password_too_common',
  'password_unchanged',
  'not_found',
  'conflict',
  'room_not_found',
  'room_locked',
  'room_ended',
  'not_a_member',
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
  'boundary_invalid',
  'terminal_offline',
  'store_unavailable',
  'node_unavailable',
  'import_malformed',
  'import_too_large',
  'import_invalid',
  'internal',
  'report_invalid',
  'photo_not_image',
  'photo_too_large',
  'location_required',
  'plan_invalid',
  'plan_missing',
  'warning_incomplete',
  'cap_feed_invalid',
  'reading_invalid',
  'station_unknown',
  'booking_invalid',
  'invitee_unavailable',
  'material_refused',
  'material_too_large',
  'minutes_invalid',
  'material_unconvertible',
  'conversion_unavailable',
  'camera_unavailable',
  'upstream_not_configured',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** The request field at fault (`conflict`: the field whose value is taken), when one is. */
  field?: string;
  /** `rate_limited`: seconds until a retry may succeed (REST also sends `Retry-After`). */
  retryAfterSeconds?: number;
  /** `rate_limited` on a socket event: milliseconds until a retry may succeed (finer than retryAfterSeconds). */
  retryAfterMs?: number;
}

/** Every client→server event is answered with one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * The one error class of Beacon. Named constructors keep call sites short
 * and codes consistent; `cause` keeps the original error for logs.
 */
export class BeaconError extends CodedError<ErrorCode> {
  override readonly name = 'BeaconError';
  /** The request field at fault, sent in the body as `field`. */
  field: string | undefined;
  /** `rate_limited`: seconds until a retry may succeed, sent in the body as `retryAfterSeconds`. */
  retryAfterSeconds: number | undefined;
  /** `rate_limited` on a socket event: milliseconds until a retry may succeed, sent as `retryAfterMs`. */
  retryAfterMs: number | undefined;

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
  /** A unique value already taken (a username, an extension, a code); `field` names it. */
  static conflict(field: string, message: string): BeaconError {
    const err = new BeaconError('conflict', message);
    err.field = field;
    return err;
  }

  /** Too many tries: wait `retryAfterSeconds` (rounded up, at least 1). */
  static rateLimited(message: string, retryAfterSeconds: number): BeaconError {
    const err = new BeaconError('rate_limited', message);
    err.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return err;
  }

  /** A socket event over its rate: retry after `retryAfterMs` (also sent rounded up in seconds). */
  static rateLimitedMs(message: string, retryAfterMs: number): BeaconError {
    const err = BeaconError.rateLimited(message, retryAfterMs / 1000);
    err.retryAfterMs = Math.max(1, Math.ceil(retryAfterMs));
    return err;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.retryAfterSeconds !== undefined) body.retryAfterSeconds = this.retryAfterSeconds;
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

/** Failures only a client sees: no answer in time, no connection, a failed fetch, a refused camera or microphone. */
export const CLIENT_ERROR_CODES = ['timeout', 'disconnected', 'network', 'media_denied'] as const;

/** Codes a client switches on: the server's codes plus its own failures. */
export type ClientErrorCode = ErrorCode | (typeof CLIENT_ERROR_CODES)[number];

/**
 * What a client's request rejects with: the server's refusal (its code and
 * message, `status` for REST) or a failure on the way (`timeout`, ...).
 */
export class ClientError extends CodedError<ClientErrorCode> {
  override readonly name = 'ClientError';
  /** HTTP status of a refused REST call; undefined for socket events. */
  readonly status: number | undefined;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }

  static timeout(what: string, timeoutMs?: number): ClientError {
    return new ClientError(
      'timeout',
      timeoutMs === undefined ? `${what} timed out` : `${what}: no answer within ${timeoutMs} ms`,
    );
  }
  static disconnected(what: string): ClientError {
    return new ClientError('disconnected', `${what}: not connected`);
  }
}

const CODES = new Set<string>(ERROR_CODES);

/** True for a code the server may send. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}
