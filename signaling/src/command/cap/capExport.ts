/**
 * A warning as a CAP 1.2 alert message, for neighbouring systems (the
 * provincial early-warning release platform, broadcasters) and for archiving.
 * Written by hand rather than with a builder: the element order is fixed by
 * the CAP schema (an xs:sequence), and every text goes through `text()`.
 */
import type { IncidentType, WarningView } from '@beacon/protocol';
import { closedRing } from '../geo/affectedTownships.ts';
import { capCategory } from './capCategory.ts';
import {
  CAP_NAMESPACE,
  DEFAULT_UTC_OFFSET_MINUTES,
  formatCapDateTime,
  formatCircle,
  formatPolygon,
  GEOCODE_TOWNSHIP,
  PARAM_COLOUR,
  PARAM_ESCALATION,
} from './capFormat.ts';

export interface CapExportOptions {
  /** `<senderName>`: the human-readable issuer, e.g. 楚雄市应急管理局. */
  senderName?: string;
  /** `<sent>`; default: when the warning was issued, else now. */
  sent?: Date;
  /** Offset written into every date-time; default 480 (UTC+8). */
  utcOffsetMinutes?: number;
  /** Type of the linked incident, the best source for `<category>`. */
  incidentType?: IncidentType | null;
}

/** Code points XML 1.0 cannot carry at all, even escaped (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Element text: escaped, and CR kept as a reference since parsers turn a literal CR LF into LF. */
function text(value: string): string {
  return value
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function element(name: string, value: string, indent: string): string {
  return `${indent}<${name}>${text(value)}</${name}>`;
}

function valuePair(name: 'parameter' | 'geocode', valueName: string, value: string, indent: string): string {
  const inner = `${indent}  `;
  return [
    `${indent}<${name}>`,
    element('valueName', valueName, inner),
    element('value', value, inner),
    `${indent}</${name}>`,
  ].join('\n');
}

/**
 * CAP 1.2 XML of a warning. A cancelled warning becomes a `Cancel` message
 * with its own identifier (CAP identifiers name messages, not warnings) that
 * references the original alert; a draft is marked `Draft` so that nobody
 * downstream can act on it; everything else is an `Actual` `Alert`.
 */
export function warningToCap(warning: WarningView, opts: CapExportOptions = {}): string {
  const offset = opts.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const at = (iso: string) => formatCapDateTime(new Date(iso), offset);
  const cancelled = warning.status === 'cancelled';
  const originalSent = warning.issuedAt ?? warning.createdAt;
  const sent = opts.sent ?? (warning.status === 'issued' && warning.issuedAt ? new Date(warning.issuedAt) : new Date());

  const a = '  ';
  const i = '    ';
  const r = '      ';
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<alert xmlns="${CAP_NAMESPACE}">`,
    element('identifier', cancelled ? `${warning.identifier}.cancel` : warning.identifier, a),
    element('sender', warning.sender, a),
    element('sent', formatCapDateTime(sent, offset), a),
    element('status', warning.status === 'draft' ? 'Draft' : 'Actual', a),
    element('msgType', cancelled ? 'Cancel' : 'Alert', a),
    element('scope', 'Public', a),
  ];
  if (cancelled) lines.push(element('references', `${warning.sender},${warning.identifier},${at(originalSent)}`, a));
  if (warning.incidentId) lines.push(element('incidents', warning.incidentId, a));

  lines.push(
    `${a}<info>`,
    element('language', 'zh-CN', i),
    element('category', capCategory(warning.event, opts.incidentType), i),
    element('event', warning.event, i),
    element('responseType', cancelled ? 'AllClear' : 'Prepare', i),
    element('urgency', warning.urgency, i),
    element('severity', warning.severity, i),
    element('certainty', warning.certainty, i),
    element('effective', at(warning.effective), i),
    element('expires', at(warning.expires), i),
  );
  if (opts.senderName) lines.push(element('senderName', opts.senderName, i));
  lines.push(element('headline', warning.headline, i));
  if (warning.description) lines.push(element('description', warning.description, i));
  if (warning.instruction) lines.push(element('instruction', warning.instruction, i));
  lines.push(
    valuePair('parameter', PARAM_COLOUR, warning.colour, i),
    valuePair('parameter', PARAM_ESCALATION, String(warning.escalationMinutes), i),
  );

  // CAP requires a non-empty description of the area; the headline names it well enough.
  lines.push(`${i}<area>`, element('areaDesc', warning.areaDesc || warning.headline, r));
  const area = warning.area;
  if (area.type === 'polygon') lines.push(element('polygon', formatPolygon(closedRing(area.points)), r));
  else lines.push(element('circle', formatCircle(area.center, area.radiusKm), r));
  for (const townshipId of warning.affectedTownshipIds)
    lines.push(valuePair('geocode', GEOCODE_TOWNSHIP, townshipId, r));
  lines.push(`${i}</area>`, `${a}</info>`, '</alert>', '');
  return lines.join('\n');
}
