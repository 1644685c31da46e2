/**
 * A CAP 1.2 alert message from outside (a file a duty officer uploads, a
 * subscribed feed) as its full structure: every element and repeat is kept
 * (capSchema.ts), checked as the OASIS XSD and the spec's MUSTs require and no
 * more, so anything valid under CAP 1.2 is read. What Beacon needs on top (an
 * end time, a drawable area) is decided later (capDraft.ts), never here.
 * Every failure is `BeaconError('cap_invalid', '<element>: <what>')`.
 */
import { BeaconError } from '@beacon/protocol';
import { XMLParser } from 'fast-xml-parser';
import type { z } from 'zod';
import { CAP_NAMESPACE } from './capFormat.ts';
import { type CapAlert, capAlertSchema, issuePath, REPEATABLE } from './capSchema.ts';
import { checkXmlText, localName } from './xmlSafety.ts';

export const CAP_MAX_BYTES = 1024 * 1024;

/** At most this much of what was wrong is told back: a huge bad value is the sender's to keep, not to echo. */
const MAX_TOLD = 200;
const clip = (text: string) => (text.length > MAX_TOLD ? `${text.slice(0, MAX_TOLD)}… (${text.length} chars)` : text);
const invalid = (where: string, what: string) => new BeaconError('cap_invalid', clip(`${where}: ${what}`));

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Only the five XML entities and character references: DTDs were refused before parsing,
  // and `htmlEntities` is what turns on numeric references in fast-xml-parser 5.
  processEntities: true,
  htmlEntities: true,
  isArray: (tagName, _path, _leaf, isAttribute) => !isAttribute && REPEATABLE.has(localName(tagName)),
});

/**
 * The parser's object as a plain element tree: attributes dropped, CAP
 * elements (those with the root's prefix, or none) under their local names,
 * foreign-namespace elements dropped (a signature cannot survive re-writing
 * anyway; the original text is kept beside the structure), text-only elements
 * as strings.
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

function fromZod(error: z.ZodError): BeaconError {
  const issue = error.issues[0];
  return invalid(issuePath(issue?.path ?? []), issue?.message ?? 'invalid');
}

/** Parses and validates a CAP 1.2 alert message; see the file comment. */
export function parseCap(xml: string): CapAlert {
  if (typeof xml !== 'string') throw invalid('xml', 'expected the message as text');
  checkXmlText(xml, CAP_MAX_BYTES, 'cap_invalid');
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    throw new BeaconError('cap_invalid', clip(`xml: ${(error as Error).message}`), { cause: error });
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

/** CAP `<references>`: whitespace-separated `sender,identifier,sent` triples. */
export interface CapReference {
  sender: string;
  identifier: string;
  sent: string;
}

export function capReferences(alert: Pick<CapAlert, 'references'>): CapReference[] {
  const out: CapReference[] = [];
  for (const triple of alert.references?.split(/\s+/).filter(Boolean) ?? []) {
    const [sender, identifier, sent] = triple.split(',');
    if (sender && identifier) out.push({ sender, identifier, sent: sent ?? '' });
  }
  return out;
}
