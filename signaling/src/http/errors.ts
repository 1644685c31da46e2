/**
 * REST errors: `{ error: { code, message } }` with the matching status.
 * Stacks and internal messages never reach the client.
 */

import { redactUrl } from '@beacon/common';
import { BeaconError, type ErrorCode } from '@beacon/protocol';
import type { ErrorRequestHandler, Response } from 'express';
import { createLogger } from '../logger.ts';

const logger = createLogger('http');

const STATUS: Partial<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  account_disabled: 403,
  password_change_required: 403,
  wrong_password: 403,
  password_too_short: 400,
  password_is_username: 400,
  password_too_common: 400,
  password_unchanged: 400,
  not_found: 404,
  conflict: 409,
  room_not_found: 404,
  room_locked: 423,
  room_ended: 410,
  not_a_member: 403,
  invalid_state: 409,
  resume_failed: 409,
  rate_limited: 429,
  media_unavailable: 503,
  sip_unavailable: 503,
  store_unavailable: 503,
  node_unavailable: 503,
  extension_not_found: 404,
  wrong_pin: 403,
  invalid_transition: 409,
  cap_invalid: 400,
  boundary_invalid: 400,
  terminal_offline: 409,
  import_malformed: 400,
  import_too_large: 413,
  import_invalid: 422,
  report_invalid: 400,
  photo_not_image: 415,
  photo_too_large: 413,
  location_required: 400,
  plan_invalid: 400,
  plan_missing: 404,
  warning_incomplete: 409,
  cap_feed_invalid: 502,
  reading_invalid: 400,
  station_unknown: 404,
  booking_invalid: 400,
  invitee_unavailable: 400,
  material_refused: 415,
  material_too_large: 413,
  minutes_invalid: 400,
  material_unconvertible: 422,
  conversion_unavailable: 503,
  camera_unavailable: 502,
};

export function sendError(res: Response, code: ErrorCode, message: string, status = STATUS[code] ?? 500): void {
  res.status(status).json({ error: { code, message } });
}

/** body-parser errors carry `type` and a 4xx `status`. */
interface ParserError {
  type?: unknown;
  status?: unknown;
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof BeaconError) {
    if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(STATUS[err.code] ?? 500).json({ error: err.toBody() });
    return;
  }
  const { type, status } = (typeof err === 'object' && err !== null ? err : {}) as ParserError;
  if (type === 'entity.parse.failed') {
    sendError(res, 'bad_request', 'malformed JSON body');
    return;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendError(res, 'bad_request', typeof type === 'string' ? `request rejected: ${type}` : 'bad request', status);
    return;
  }
  // Redacted here too, not only by the logger's serializer: the line must hold no token whatever the logger does.
  logger.error({ err, method: req.method, url: redactUrl(req.originalUrl) }, 'request failed');
  sendError(res, 'internal', 'internal error', 500);
};
