/**
 * zod failures as client-facing bad_request errors, shared by REST bodies and
 * socket payloads so both name the bad field the same way.
 */

import { BeaconError } from '@beacon/protocol';
import type { z } from 'zod';

/** 'transportId: Invalid input: expected string, received number' */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid payload';
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'payload';
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more)` : '';
  return `${where}: ${issue.message}${more}`;
}

/** Parses or throws BeaconError 'bad_request'; `what` prefixes the message (e.g. the event name). */
export function parseOrBadRequest<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const message = describeZodError(parsed.error);
  const err = BeaconError.badRequest(what ? `${what}: ${message}` : message);
  const path = parsed.error.issues[0]?.path;
  if (path && path.length > 0) err.field = path.map(String).join('.');
  throw err;
}
