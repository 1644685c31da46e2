/**
 * A warning as a CAP 1.2 alert message, for neighbouring systems (the
 * provincial early-warning release platform, broadcasters) and for archiving.
 *
 * Beacon's own warning is written from its fields. A warning from outside is
 * written as the CAP message it came from (or its latest Update), element for
 * element, with what Beacon added — the colour, escalation, an end time or an
 * area the officer supplied, the townships it reaches — as `beacon:`
 * parameters of the info Beacon shows: the sender's own elements go out as
 * they came in. Both end in capWrite.ts, which fixes the XSD's element order.
 */
import type { IncidentType, WarningArea, WarningShape, WarningView } from '@beacon/protocol';
import { closedRing } from '../geo/affectedTownships.ts';
import { capCategory } from './capCategory.ts';
import { capDraft } from './capDraft.ts';
import {
  BEACON_VALUE_PREFIX,
  DEFAULT_UTC_OFFSET_MINUTES,
  formatCapDateTime,
  formatCircle,
  formatPolygon,
  GEOCODE_TOWNSHIP,
  PARAM_CIRCLE,
  PARAM_COLOUR,
  PARAM_ESCALATION,
  PARAM_EXPIRES,
  PARAM_POLYGON,
  PARAM_TOWNSHIP,
} from './capFormat.ts';
import type { CapAlert, CapInfo } from './capSchema.ts';
import { writeCap } from './capWrite.ts';

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

const partsOf = (area: WarningArea | null): WarningShape[] =>
  area === null ? [] : area.type === 'multi' ? area.parts : [area];

const polygonText = (shape: Extract<WarningShape, { type: 'polygon' }>) => formatPolygon(closedRing(shape.points));

/** Beacon's own warning as an alert structure. */
function ownAlert(warning: WarningView, opts: CapExportOptions): CapAlert {
  const offset = opts.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const at = (iso: string) => formatCapDateTime(new Date(iso), offset);
  const cancelled = warning.status === 'cancelled';
  const originalSent = warning.issuedAt ?? warning.createdAt;
  const sent = opts.sent ?? (warning.status === 'issued' && warning.issuedAt ? new Date(warning.issuedAt) : new Date());
  const shapes = partsOf(warning.area);
  const info: CapInfo = {
    language: 'zh-CN',
    category: [capCategory(warning.event, opts.incidentType)],
    event: warning.event,
    responseType: [cancelled ? 'AllClear' : 'Prepare'],
    urgency: warning.urgency,
    severity: warning.severity,
    certainty: warning.certainty,
    eventCode: [],
    effective: at(warning.effective),
    expires: warning.expires === null ? undefined : at(warning.expires),
    senderName: opts.senderName,
    headline: warning.headline,
    description: warning.description || undefined,
    instruction: warning.instruction || undefined,
    parameter: [
      { valueName: PARAM_COLOUR, value: warning.colour },
      { valueName: PARAM_ESCALATION, value: String(warning.escalationMinutes) },
    ],
    resource: [],
    area: [
      {
        // CAP requires a non-empty description of the area; the headline names it well enough.
        areaDesc: warning.areaDesc || warning.headline,
        polygon: shapes.flatMap((s) => (s.type === 'polygon' ? [polygonText(s)] : [])),
        circle: shapes.flatMap((s) => (s.type === 'circle' ? [formatCircle(s.center, s.radiusKm)] : [])),
        geocode: warning.affectedTownshipIds.map((id) => ({ valueName: GEOCODE_TOWNSHIP, value: id })),
      },
    ],
  };
  return {
    // CAP identifiers name messages, not warnings: a Cancel gets its own and references the alert.
    identifier: cancelled ? `${warning.identifier}.cancel` : warning.identifier,
    sender: warning.sender,
    sent: formatCapDateTime(sent, offset),
    // A draft is marked Draft so that nobody downstream can act on it.
    status: warning.status === 'draft' ? 'Draft' : 'Actual',
    msgType: cancelled ? 'Cancel' : 'Alert',
    scope: 'Public',
    code: [],
    references: cancelled ? `${warning.sender},${warning.identifier},${at(originalSent)}` : undefined,
    incidents: warning.incidentId ?? undefined,
    info: [info],
  };
}

const sameArea = (a: WarningArea | null, b: WarningArea | null) => JSON.stringify(a) === JSON.stringify(b);

/** The alert a warning came from, with Beacon's additions as parameters of the info it shows. */
function withBeaconParameters(warning: WarningView, original: CapAlert, opts: CapExportOptions): CapAlert {
  const read = capDraft(original);
  if (!read) return original;
  const offset = opts.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const info = original.info[read.infoIndex] as CapInfo;
  // Earlier beacon: parameters (a message Beacon exported and imported again) are replaced, never doubled.
  const parameter = info.parameter.filter((p) => !p.valueName.startsWith(BEACON_VALUE_PREFIX));
  parameter.push(
    { valueName: PARAM_COLOUR, value: warning.colour },
    { valueName: PARAM_ESCALATION, value: String(warning.escalationMinutes) },
  );
  const theirExpires = info.expires ? new Date(info.expires).toISOString() : null;
  if (warning.expires !== null && warning.expires !== theirExpires) {
    parameter.push({ valueName: PARAM_EXPIRES, value: formatCapDateTime(new Date(warning.expires), offset) });
  }
  const theirArea = capDraft({ ...original, info: [{ ...info, parameter: [] }] })?.area ?? null;
  if (warning.area !== null && !sameArea(warning.area, theirArea)) {
    for (const shape of partsOf(warning.area)) {
      parameter.push(
        shape.type === 'polygon'
          ? { valueName: PARAM_POLYGON, value: polygonText(shape) }
          : { valueName: PARAM_CIRCLE, value: formatCircle(shape.center, shape.radiusKm) },
      );
    }
  }
  for (const id of warning.affectedTownshipIds) parameter.push({ valueName: PARAM_TOWNSHIP, value: id });
  const infos = original.info.map((each, index) => (index === read.infoIndex ? { ...each, parameter } : each));
  return { ...original, info: infos };
}

/**
 * CAP 1.2 XML of a warning: Beacon's own from its fields, one from outside as
 * `original` (the alert it came from, or its latest Update) plus Beacon's parameters.
 */
export function warningToCap(warning: WarningView, opts: CapExportOptions = {}, original?: CapAlert): string {
  return writeCap(original ? withBeaconParameters(warning, original, opts) : ownAlert(warning, opts));
}
