/**
 * What Beacon makes of a CAP alert from outside: the content of a draft
 * warning, read from the info Beacon shows (zh-CN, else any zh, else en,
 * else the first) and the union of every shape of that info's areas. Nothing
 * is refused here: what Beacon needs but the alert lacks (an end time, a
 * drawable area) stays null and the duty officer supplies it before issuing.
 * The alert itself is kept whole beside the warning (cap_messages), so the
 * draft may shorten texts to Beacon's limits without losing anything.
 *
 * Beacon's own additions come back from `beacon:` parameters of that info
 * (capFormat.ts): when present they are Beacon's decision and win.
 */
import type {
  CapCertainty,
  CapSeverity,
  CapUrgency,
  WarningArea,
  WarningColour,
  WarningShape,
  WarningSource,
} from '@beacon/protocol';
import { warningColourSchema } from '@beacon/protocol';
import {
  capDateTimeToIso,
  PARAM_CIRCLE,
  PARAM_COLOUR,
  PARAM_ESCALATION,
  PARAM_EXPIRES,
  PARAM_POLYGON,
  PARAM_TOWNSHIP,
  parseCircle,
  parsePolygon,
} from './capFormat.ts';
import type { CapAlert, CapInfo } from './capSchema.ts';

/** Beacon's limits for what a terminal shows (the full texts stay in the stored alert). */
const LIMITS = { event: 200, headline: 300, description: 5000, instruction: 5000, areaDesc: 500 } as const;

export interface CapDraftContent {
  event: string;
  colour: WarningColour;
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  headline: string;
  description: string;
  instruction: string;
  area: WarningArea | null;
  areaDesc: string;
  effective: string;
  expires: string | null;
  escalationMinutes: number | null;
  /** Every geocode of the info's areas: division codes name townships (see geocodeTownships). */
  geocodes: { valueName: string; value: string }[];
  /** Townships Beacon itself listed (`beacon:township`) when it exported the warning. */
  townshipIds: string[];
  /** Index of the info shown, in `alert.info`. */
  infoIndex: number;
}

/** CAP: language defaults to en-US. Beacon's terminals read Chinese: zh-CN, then any zh, then en, then the first. */
export function pickInfo(infos: readonly CapInfo[]): number {
  const lang = (i: CapInfo) => (i.language?.trim() || 'en-US').toLowerCase();
  const rules = [
    (l: string) => l === 'zh-cn',
    (l: string) => l === 'zh' || l.startsWith('zh-'),
    (l: string) => l === 'en' || l.startsWith('en-'),
  ];
  for (const rule of rules) {
    const index = infos.findIndex((i) => rule(lang(i)));
    if (index >= 0) return index;
  }
  return 0;
}

const clip = (value: string, max: number) => (value.length <= max ? value : `${value.slice(0, max - 1)}…`);

function parameters(info: CapInfo, valueName: string): string[] {
  return info.parameter.filter((p) => p.valueName === valueName).map((p) => p.value.trim());
}

/** Polygons and circles with an area (a circle of radius 0 is a point: nothing to draw). */
function shapesOf(polygons: readonly string[], circles: readonly string[]): WarningShape[] {
  const shapes: WarningShape[] = [];
  for (const text of polygons) {
    const points = parsePolygon(text);
    if (Array.isArray(points)) shapes.push({ type: 'polygon', points });
  }
  for (const text of circles) {
    const circle = parseCircle(text);
    if (typeof circle !== 'string' && circle.radiusKm > 0) shapes.push({ type: 'circle', ...circle });
  }
  return shapes;
}

/** One shape as itself, several as their union, none as null. */
export function areaOf(shapes: readonly WarningShape[]): WarningArea | null {
  if (shapes.length === 0) return null;
  if (shapes.length === 1) return shapes[0] as WarningShape;
  return { type: 'multi', parts: [...shapes] };
}

const SEVERITY_COLOUR: Partial<Record<CapSeverity, WarningColour>> = {
  Extreme: 'red',
  Severe: 'orange',
  Moderate: 'yellow',
};
/** Chinese warnings name their colour (暴雨橙色预警): that is the colour, whatever the severity says. */
const COLOUR_WORDS: readonly [RegExp, WarningColour][] = [
  [/红色/, 'red'],
  [/橙色/, 'orange'],
  [/黄色/, 'yellow'],
  [/蓝色/, 'blue'],
];

function colourOf(info: CapInfo): WarningColour {
  const own = warningColourSchema.safeParse(parameters(info, PARAM_COLOUR)[0]);
  if (own.success) return own.data;
  for (const [words, colour] of COLOUR_WORDS) {
    if (words.test(info.event) || words.test(info.headline ?? '')) return colour;
  }
  return SEVERITY_COLOUR[info.severity as CapSeverity] ?? 'blue';
}

/** The draft's content, or null for an alert without <info> (Ack, Error, a bare Cancel). */
export function capDraft(alert: CapAlert): CapDraftContent | null {
  if (alert.info.length === 0) return null;
  const infoIndex = pickInfo(alert.info);
  const info = alert.info[infoIndex] as CapInfo;
  const own = areaOf(shapesOf(parameters(info, PARAM_POLYGON), parameters(info, PARAM_CIRCLE)));
  const theirs = areaOf(
    shapesOf(
      info.area.flatMap((a) => a.polygon),
      info.area.flatMap((a) => a.circle),
    ),
  );
  const ownExpires = parameters(info, PARAM_EXPIRES)[0];
  const expires = ownExpires ?? info.expires;
  const escalation = parameters(info, PARAM_ESCALATION)[0];
  const areaDesc = info.area
    .map((a) => a.areaDesc.trim())
    .filter(Boolean)
    .join('、');
  return {
    event: clip(info.event.trim(), LIMITS.event),
    colour: colourOf(info),
    urgency: info.urgency as CapUrgency,
    severity: info.severity as CapSeverity,
    certainty: info.certainty as CapCertainty,
    headline: clip(info.headline?.trim() || info.event.trim(), LIMITS.headline),
    description: clip(info.description ?? '', LIMITS.description),
    instruction: clip(info.instruction ?? '', LIMITS.instruction),
    area: own ?? theirs,
    areaDesc: clip(areaDesc, LIMITS.areaDesc),
    // CAP 1.2: without <effective>, the alert is effective when sent.
    effective: capDateTimeToIso(info.effective ?? alert.sent),
    expires: expires && !Number.isNaN(Date.parse(expires)) ? capDateTimeToIso(expires) : null,
    escalationMinutes: escalation !== undefined && /^\d+$/.test(escalation) ? Math.min(1440, Number(escalation)) : null,
    geocodes: info.area.flatMap((a) => a.geocode),
    townshipIds: parameters(info, PARAM_TOWNSHIP),
    infoIndex,
  };
}

/** Where the warning came from, as the console shows it (and as a later Update or Cancel rewrites it). */
export function capSource(
  alert: CapAlert,
  from: { kind: 'file' | 'feed'; feedId: string | null; feedName: string | null },
  cancelledBy: string | null = null,
): WarningSource {
  const index = alert.info.length === 0 ? -1 : pickInfo(alert.info);
  const info = alert.info[index];
  return {
    ...from,
    sender: alert.sender,
    identifier: alert.identifier,
    sent: capDateTimeToIso(alert.sent),
    status: alert.status,
    msgType: alert.msgType,
    senderName: info?.senderName?.trim() || null,
    language: info ? info.language?.trim() || 'en-US' : '',
    infoCount: alert.info.length,
    web: info?.web?.trim() || null,
    contact: info?.contact?.trim() || null,
    cancelledBy,
  };
}

/**
 * Division codes (GB/T 2260 and the statistics bureau's 9/12-digit township
 * codes) without their trailing zero groups: 530000 → 53, 532301 → 532301,
 * 532301100000 → 532301100. A code names every place whose significant code
 * starts with it. Not a division code (a US SAME/UGC code, a DWD warn cell):
 * null.
 */
export function divisionPrefix(code: string): string | null {
  const digits = code.trim();
  if (!/^[1-9]\d{5}(\d{3}){0,2}$/.test(digits)) return null;
  let out = digits;
  while (out.length > 6 && out.endsWith('000')) out = out.slice(0, -3);
  while (out.length > 2 && out.length <= 6 && out.endsWith('00')) out = out.slice(0, -2);
  return out;
}

/**
 * What the geocodes reach: the whole deployment (a geocode names the area or
 * a region containing it), else the townships a geocode names or contains.
 */
export function geocodeReach(
  geocodes: readonly { value: string }[],
  areaCode: string | null,
  townships: readonly { id: string; code: string | null; enabled: boolean }[],
): { wholeArea: boolean; townshipIds: string[]; insideArea: boolean } {
  const prefixes = geocodes.map((g) => divisionPrefix(g.value)).filter((p): p is string => p !== null);
  const area = areaCode ? divisionPrefix(areaCode) : null;
  const wholeArea = area !== null && prefixes.some((p) => area.startsWith(p));
  const insideArea = wholeArea || (area !== null && prefixes.some((p) => p.startsWith(area)));
  const townshipIds = townships
    .filter((t) => t.enabled)
    .filter((t) => {
      const own = t.code ? divisionPrefix(t.code) : null;
      return wholeArea || (own !== null && prefixes.some((p) => own.startsWith(p) || p.startsWith(own)));
    })
    .map((t) => t.id);
  return { wholeArea, townshipIds, insideArea };
}
