/**
 * CAP 1.2 alert messages from outside (the provincial platform, the weather
 * bureau) as Beacon warnings. Everything is untrusted: size, DTD and entities
 * are refused before parsing (billion laughs, external entities), well-formedness
 * is checked by the parser's validator, the structure by capSchema.ts.
 * Every failure is `BeaconError('cap_invalid', '<element>: <what>')`.
 */

import { BeaconError, type CreateWarningRequest, createWarningSchema, warningColourSchema } from '@beacon/protocol';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';
import {
  CAP_NAMESPACE,
  capDateTimeToIso,
  PARAM_COLOUR,
  PARAM_ESCALATION,
  parseCircle,
  parsePolygon,
} from './capFormat.ts';
import { type CapAlert, type CapInfo, capAlertSchema, issuePath, REPEATABLE } from './capSchema.ts';

export interface ImportedWarning extends CreateWarningRequest {
  identifier: string;
  sender: string;
  /** CAP `<sent>`, as an ISO UTC string. */
  sent: string;
  /** CAP `<status>`: the caller decides what to do with Test/Exercise/Draft messages. */
  status: CapAlert['status'];
  /** `Update`/`Cancel` refer to earlier messages through `references`. */
  msgType: 'Alert' | 'Update' | 'Cancel';
  /** CAP `<references>`: `sender,identifier,sent` triples, as written. */
  references: string[];
}

export const CAP_MAX_BYTES = 1024 * 1024;

const invalid = (where: string, what: string) => new BeaconError('cap_invalid', `${where}: ${what}`);

/** Strips CDATA sections and comments, where `&` and `<!` are plain text. */
const markupOnly = (xml: string) => xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');

function checkRawText(xml: string): void {
  if (Buffer.byteLength(xml, 'utf8') > CAP_MAX_BYTES) {
    throw invalid('alert', `message is ${Buffer.byteLength(xml, 'utf8')} bytes, more than 1 MB`);
  }
  const markup = markupOnly(xml);
  if (/<!DOCTYPE|<!ENTITY/i.test(markup)) throw invalid('xml', 'DOCTYPE and entity declarations are refused');
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)[^\s;<]{0,20};?/.exec(markup);
  if (entity) throw invalid('xml', `undefined entity or bare "&": "${entity[0]}"`);
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw invalid('xml', `not well-formed: ${verdict.err.msg} (line ${verdict.err.line}, column ${verdict.err.col})`);
  }
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Only the five XML entities and character references: DTDs were refused above,
  // and `htmlEntities` is what turns on numeric references in fast-xml-parser 5.
  processEntities: true,
  htmlEntities: true,
  isArray: (tagName, _path, _leaf, isAttribute) => !isAttribute && REPEATABLE.has(localName(tagName)),
});

/**
 * The parser's object as a plain element tree: attributes dropped, CAP
 * elements (those with the root's prefix, or none) under their local names,
 * foreign-namespace elements dropped, text-only elements as strings.
 */
function elementTree(node: unknown, prefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => elementTree(n, prefix));
  if (node === null || typeof node !== 'object') return node === undefined ? undefined : String(node);
  const out: Record<string, unknown> = {};
  let hasElements = false;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text') continue;
    const colon = key.indexOf(':');
    if ((colon < 0 ? '' : key.slice(0, colon)) !== prefix) continue;
    out[key.slice(colon + 1)] = elementTree(value, prefix);
    hasElements = true;
  }
  if (hasElements) return out;
  const textValue = (node as Record<string, unknown>)['#text'];
  return textValue === undefined ? '' : String(textValue);
}

function parseAlert(xml: string): CapAlert {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    throw new BeaconError('cap_invalid', `xml: ${(error as Error).message}`, { cause: error });
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (roots.length !== 1) throw invalid('xml', `expected one root element, found ${roots.length}`);
  const rootName = roots[0] as string;
  const prefix = rootName.includes(':') ? rootName.slice(0, rootName.indexOf(':')) : '';
  if (localName(rootName) !== 'alert') throw invalid('alert', `root element is <${rootName}>, not <alert>`);
  const root = doc[rootName];
  // fast-xml-parser's validator accepts several top-level elements; same-named ones arrive as an array.
  if (Array.isArray(root)) throw invalid('xml', `expected one root element, found ${root.length}`);
  const attrs = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  const ns = attrs[prefix ? `@_xmlns:${prefix}` : '@_xmlns'];
  if (ns !== CAP_NAMESPACE) throw invalid('alert', `namespace is "${String(ns ?? '')}", expected "${CAP_NAMESPACE}"`);

  const checked = capAlertSchema.safeParse(elementTree(root, prefix));
  if (!checked.success) throw fromZod(checked.error);
  return checked.data;
}

function fromZod(error: z.ZodError): BeaconError {
  const issue = error.issues[0];
  return invalid(issuePath(issue?.path ?? []), issue?.message ?? 'invalid');
}

/** CAP: language defaults to en-US; Beacon's terminals read Chinese, so zh-CN wins, then any zh. */
function pickInfo(infos: readonly CapInfo[]): { info: CapInfo; index: number } {
  const lang = (i: CapInfo) => (i.language ?? 'en-US').toLowerCase();
  let index = infos.findIndex((i) => lang(i) === 'zh-cn');
  if (index < 0) index = infos.findIndex((i) => lang(i) === 'zh' || lang(i).startsWith('zh-'));
  if (index < 0) index = 0;
  return { info: infos[index] as CapInfo, index };
}

function pickArea(info: CapInfo, where: string): Pick<CreateWarningRequest, 'area' | 'areaDesc'> {
  for (const area of info.area) {
    const polygon = area.polygon[0] === undefined ? undefined : parsePolygon(area.polygon[0]);
    if (Array.isArray(polygon)) return { area: { type: 'polygon', points: polygon }, areaDesc: area.areaDesc.trim() };
    const circle = area.circle[0] === undefined ? undefined : parseCircle(area.circle[0]);
    if (circle && typeof circle !== 'string')
      return { area: { type: 'circle', ...circle }, areaDesc: area.areaDesc.trim() };
  }
  throw invalid(`${where}/area`, 'no <area> with a <polygon> or <circle> (Beacon needs a shape to find the townships)');
}

const SEVERITY_COLOUR = { Extreme: 'red', Severe: 'orange', Moderate: 'yellow' } as const;

function parameter(info: CapInfo, valueName: string): string | undefined {
  return info.parameter.find((p) => p.valueName === valueName)?.value.trim();
}

/** Parses and validates a CAP 1.2 alert; see the file comment. */
export function capToWarning(xml: string): ImportedWarning {
  if (typeof xml !== 'string') throw invalid('xml', 'expected the message as text');
  checkRawText(xml);
  const alert = parseAlert(xml);
  if (alert.msgType === 'Ack' || alert.msgType === 'Error') {
    throw invalid('alert/msgType', `${alert.msgType} messages carry no warning`);
  }
  if (alert.info.length === 0) throw invalid('alert/info', 'missing (Beacon imports alerts with at least one <info>)');
  const { info, index } = pickInfo(alert.info);
  const where = `alert/info[${index}]`;
  if (info.expires === undefined)
    throw invalid(`${where}/expires`, 'missing (Beacon needs to know when a warning ends)');

  const colourText = parameter(info, PARAM_COLOUR);
  const colour = colourText === undefined ? undefined : warningColourSchema.safeParse(colourText);
  if (colour && !colour.success) {
    throw invalid(`${where}/parameter ${PARAM_COLOUR}`, `"${colourText}" is not red, orange, yellow or blue`);
  }
  const escalationText = parameter(info, PARAM_ESCALATION);
  if (escalationText !== undefined && !/^\d+$/.test(escalationText)) {
    throw invalid(`${where}/parameter ${PARAM_ESCALATION}`, `"${escalationText}" is not a whole number of minutes`);
  }

  const request = createWarningSchema.safeParse({
    event: info.event,
    colour: colour?.data ?? SEVERITY_COLOUR[info.severity as keyof typeof SEVERITY_COLOUR] ?? 'blue',
    urgency: info.urgency,
    severity: info.severity,
    certainty: info.certainty,
    headline: info.headline?.trim() || info.event,
    description: info.description ?? '',
    instruction: info.instruction ?? '',
    ...pickArea(info, where),
    // CAP 1.2: without <effective>, the alert is effective when sent.
    effective: capDateTimeToIso(info.effective ?? alert.sent),
    expires: capDateTimeToIso(info.expires),
    // <incidents> names the sender's incidents, not ours: the caller links one if it wants.
    incidentId: null,
    escalationMinutes: escalationText === undefined ? undefined : Number(escalationText),
  });
  if (!request.success) {
    const issue = request.error.issues[0];
    throw invalid(`${where}/${issue?.path.join('/') ?? ''}`, `${issue?.message ?? 'invalid'} (Beacon's limit)`);
  }
  return {
    ...request.data,
    identifier: alert.identifier,
    sender: alert.sender,
    sent: capDateTimeToIso(alert.sent),
    status: alert.status,
    msgType: alert.msgType,
    references: alert.references ? alert.references.split(/\s+/).filter(Boolean) : [],
  };
}
