/**
 * The CAP 1.2 (OASIS, 2010) vocabulary both directions share: namespace, value
 * sets, and the text forms of date-times, polygons and circles. Export and
 * import are built on the same functions so that what one writes the other
 * reads back exactly.
 */
import type { LatLon } from '@beacon/protocol';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export const CAP_RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;

/** Beacon's own `valueName`s (parameter and geocode), prefixed so they cannot clash with a national profile's. */
export const PARAM_COLOUR = 'beacon:colour';
export const PARAM_ESCALATION = 'beacon:escalationMinutes';
export const GEOCODE_TOWNSHIP = 'beacon:township';
/**
 * What the duty officer added to a warning from outside, written as parameters of the info Beacon
 * shows so that the alert's own elements go out as they came in: the end time it lacked
 * (`beacon:expires`, a CAP date-time), the area drawn (`beacon:polygon` / `beacon:circle`, CAP
 * text, repeated for several shapes) and the townships it reaches (`beacon:township`, repeated).
 */
export const PARAM_EXPIRES = 'beacon:expires';
export const PARAM_POLYGON = 'beacon:polygon';
export const PARAM_CIRCLE = 'beacon:circle';
export const PARAM_TOWNSHIP = 'beacon:township';
/** Every valueName Beacon writes; on import they are Beacon's own, not the sender's. */
export const BEACON_VALUE_PREFIX = 'beacon:';

/** China Standard Time; 楚雄 has no daylight saving. */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

/**
 * CAP 1.2 §3.3.2: `YYYY-MM-DDThh:mm:ss±hh:mm`, no fractional seconds, and
 * "Z" is not allowed (UTC is written `-00:00` or `+00:00`).
 */
const CAP_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

export function formatCapDateTime(at: Date, utcOffsetMinutes = DEFAULT_UTC_OFFSET_MINUTES): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('formatCapDateTime: invalid date');
  if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 14 * 60) {
    throw new RangeError(`formatCapDateTime: utc offset ${utcOffsetMinutes} minutes is not a real zone`);
  }
  // Shift the instant so that its UTC fields read as local wall time at that offset.
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + utcOffsetMinutes * 60_000);
  const wall = local.toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${wall}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** Why a text is not a CAP date-time, or null when it is one (calendar-checked: no 31 April). */
export function capDateTimeProblem(text: string): string | null {
  if (/(\d|\.\d+)[zZ]$/.test(text)) return `"${text}" ends in "Z", which CAP 1.2 forbids (write +00:00)`;
  if (/\.\d+/.test(text)) return `"${text}" has fractional seconds, which CAP 1.2 forbids`;
  const m = CAP_DATE_TIME.exec(text);
  if (!m) return `"${text}" is not YYYY-MM-DDThh:mm:ss with an explicit offset like +08:00`;
  const [year, month, day, hour, minute, second, , offH, offM] = m.slice(1).map(Number) as number[];
  const probe = new Date(Date.UTC(year as number, (month as number) - 1, day as number, hour, minute, second));
  const valid =
    probe.getUTCFullYear() === year &&
    probe.getUTCMonth() === (month as number) - 1 &&
    probe.getUTCDate() === day &&
    probe.getUTCHours() === hour &&
    probe.getUTCMinutes() === minute &&
    probe.getUTCSeconds() === second &&
    (offH as number) <= 14 &&
    (offM as number) < 60;
  return valid ? null : `"${text}" is not a real date-time`;
}

/** A CAP date-time as the ISO UTC string the rest of Beacon stores (`2026-11-26T02:15:00.000Z`). */
export function capDateTimeToIso(text: string): string {
  return new Date(text).toISOString();
}

/**
 * Decimal degrees/km without exponent notation; 6 decimals of a degree is
 * ~0.1 m, finer than any warning area is drawn.
 */
export function formatNumber(n: number): string {
  const fixed = Number(n.toFixed(6));
  return String(Object.is(fixed, -0) ? 0 : fixed);
}

const formatPair = ([lat, lon]: LatLon): string => `${formatNumber(lat)},${formatNumber(lon)}`;

/** `lat,lon lat,lon …` of a ring the caller has already closed. */
export function formatPolygon(ring: readonly LatLon[]): string {
  return ring.map(formatPair).join(' ');
}

/** `lat,lon radius` with the radius in km (CAP's unit). */
export function formatCircle(center: LatLon, radiusKm: number): string {
  return `${formatPair(center)} ${formatNumber(radiusKm)}`;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function parsePair(text: string): LatLon | string {
  const parts = text.split(',');
  if (parts.length !== 2 || !parts.every((p) => DECIMAL.test(p))) return `"${text}" is not a "lat,lon" pair`;
  const [lat, lon] = parts.map(Number) as [number, number];
  if (lat < -90 || lat > 90) return `latitude ${lat} is outside -90..90`;
  if (lon < -180 || lon > 180) return `longitude ${lon} is outside -180..180`;
  return [lat, lon];
}

/** A CAP polygon: ≥ 4 pairs, first = last. Returns the points or why not. */
export function parsePolygon(text: string): LatLon[] | string {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const points: LatLon[] = [];
  for (const token of tokens) {
    const pair = parsePair(token);
    if (typeof pair === 'string') return pair;
    points.push(pair);
  }
  if (points.length < 4) return `needs at least 4 "lat,lon" pairs (a closed ring), got ${points.length}`;
  const first = points[0] as LatLon;
  const last = points[points.length - 1] as LatLon;
  if (first[0] !== last[0] || first[1] !== last[1]) return 'is not closed: the first and last pair must be equal';
  if (new Set(points.map((p) => `${p[0]},${p[1]}`)).size < 3) return 'needs at least 3 distinct points';
  return points;
}

/**
 * A CAP circle `lat,lon radius` (km). Radius 0 is valid CAP (a point: the spec's earthquake
 * example); it is read here and left out of the drawable area by the importer.
 */
export function parseCircle(text: string): { center: LatLon; radiusKm: number } | string {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length !== 2) return `"${text}" is not "lat,lon radius"`;
  const center = parsePair(tokens[0] as string);
  if (typeof center === 'string') return center;
  const radius = tokens[1] as string;
  if (!DECIMAL.test(radius)) return `radius "${radius}" is not a number`;
  const radiusKm = Number(radius);
  if (radiusKm < 0) return `radius ${radiusKm} km is negative`;
  return { center, radiusKm };
}
