/**
 * CAP 1.2 alert structure as zod schemas, applied to the element tree the XML
 * parser produced (see `elementTree`). What the OASIS XSD and the spec's
 * MUSTs require is checked here; what only Beacon needs (an <info>, an area,
 * an expiry) is decided in capDraft.ts, never refused, so this file stays a CAP validator.
 *
 * Lenient where the spec is: element order is not checked, and elements of
 * other namespaces (CAP's `<any namespace="##other">`) are dropped earlier.
 */

import { capCertaintySchema, capSeveritySchema, capUrgencySchema } from '@beacon/protocol';
import { z } from 'zod';
import {
  CAP_CATEGORIES,
  CAP_MSG_TYPES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_STATUSES,
  capDateTimeProblem,
  parseCircle,
  parsePolygon,
} from './capFormat.ts';

const missingOr = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'missing' : Array.isArray(issue.input) ? 'appears more than once' : what;

/** Element text, kept as written (descriptions may carry meaningful blank lines). */
const text = z.string({ error: missingOr('must be text, not nested elements') });
const trimmed = text.trim();
const required = trimmed.min(1, 'is empty');

/** CAP 1.2 §3.2.1: identifiers and senders "MUST NOT include spaces, commas or restricted characters (< and &)". */
const capName = required.regex(/^[^\s,<&]+$/, 'must not contain spaces, commas, "<" or "&"');

function oneOf<const T extends readonly string[]>(values: T) {
  return trimmed.pipe(
    z.enum(values, { error: (issue) => `"${String(issue.input)}" is not one of ${values.join(', ')}` }),
  );
}

const dateTime = trimmed.superRefine((value, ctx) => {
  const problem = capDateTimeProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const decimal = trimmed.regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'is not a decimal number');

const many = <T extends z.ZodType>(item: T) => z.array(item, { error: 'must be a list' }).default([]);

const valuePair = z.object({ valueName: required, value: text.default('') });

const areaSchema = z
  .object({
    areaDesc: text,
    polygon: many(text),
    circle: many(text),
    geocode: many(valuePair),
    altitude: decimal.optional(),
    ceiling: decimal.optional(),
  })
  .superRefine((area, ctx) => {
    area.polygon.forEach((p, index) => {
      const parsed = parsePolygon(p);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: ['polygon', index], message: parsed });
    });
    area.circle.forEach((c, index) => {
      const parsed = parseCircle(c);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: ['circle', index], message: parsed });
    });
    if (area.ceiling !== undefined && area.altitude === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ceiling'], message: 'needs <altitude> too' });
    }
  });

const infoSchema = z.object({
  language: trimmed.optional(),
  category: z.array(oneOf(CAP_CATEGORIES), { error: missingOr('must be a list') }).min(1, 'missing'),
  event: required,
  responseType: many(oneOf(CAP_RESPONSE_TYPES)),
  urgency: oneOf(capUrgencySchema.options),
  severity: oneOf(capSeveritySchema.options),
  certainty: oneOf(capCertaintySchema.options),
  audience: text.optional(),
  eventCode: many(valuePair),
  effective: dateTime.optional(),
  onset: dateTime.optional(),
  expires: dateTime.optional(),
  senderName: text.optional(),
  headline: text.optional(),
  description: text.optional(),
  instruction: text.optional(),
  web: trimmed.optional(),
  contact: text.optional(),
  parameter: many(valuePair),
  resource: many(
    z.object({
      resourceDesc: required,
      mimeType: required,
      size: trimmed.regex(/^\d+$/, 'is not a whole number of bytes').optional(),
      uri: trimmed.optional(),
      derefUri: text.optional(),
      digest: trimmed.optional(),
    }),
  ),
  area: many(areaSchema),
});

export const capAlertSchema = z
  .object({
    identifier: capName,
    sender: capName,
    sent: dateTime,
    status: oneOf(CAP_STATUSES),
    msgType: oneOf(CAP_MSG_TYPES),
    source: text.optional(),
    scope: oneOf(CAP_SCOPES),
    restriction: text.optional(),
    addresses: text.optional(),
    code: many(text),
    note: text.optional(),
    references: trimmed.optional(),
    incidents: trimmed.optional(),
    info: many(infoSchema),
  })
  .superRefine((alert, ctx) => {
    // CAP 1.2 §3.2.1: "restriction" is used when scope is Restricted, "addresses" is required when scope is Private.
    if (alert.scope === 'Restricted' && !alert.restriction?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['restriction'], message: 'required when scope is Restricted' });
    }
    if (alert.scope === 'Private' && !alert.addresses?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['addresses'], message: 'required when scope is Private' });
    }
  });
export type CapAlert = z.infer<typeof capAlertSchema>;
export type CapInfo = CapAlert['info'][number];

/** Elements that may repeat: the parser always gives these as arrays, so one and many look alike. */
export const REPEATABLE = new Set([
  'code',
  'info',
  'category',
  'responseType',
  'eventCode',
  'parameter',
  'resource',
  'area',
  'polygon',
  'circle',
  'geocode',
]);

/** `info[0]/urgency`, the way a person looks for it in the XML. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = 'alert';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `/${String(key)}`;
  return out;
}
