/**
 * A CAP 1.2 alert structure (capSchema.ts) as XML, in the element order the
 * OASIS XSD's sequences fix, whatever order the message arrived in. Export of
 * Beacon's own warnings and of warnings from outside both end here, so what
 * the importer keeps is exactly what goes out again.
 *
 * Written by hand rather than with fast-xml-parser's XMLBuilder: the builder
 * writes keys in object order and repeats as siblings only when told per key;
 * a fixed list of (name, value) per sequence below is shorter and cannot
 * reorder. Every text goes through `text()`.
 */
import { CAP_NAMESPACE } from './capFormat.ts';
import type { CapAlert, CapInfo } from './capSchema.ts';

type CapArea = CapInfo['area'][number];
type CapResource = CapInfo['resource'][number];
type ValuePair = { valueName: string; value: string };

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

class Lines {
  readonly out: string[] = [];
  leaf(indent: string, name: string, value: string | undefined): void {
    if (value !== undefined) this.out.push(`${indent}<${name}>${text(value)}</${name}>`);
  }
  leaves(indent: string, name: string, values: readonly string[]): void {
    for (const value of values) this.leaf(indent, name, value);
  }
  pairs(indent: string, name: string, pairs: readonly ValuePair[]): void {
    for (const { valueName, value } of pairs) {
      this.out.push(`${indent}<${name}>`);
      this.leaf(`${indent}  `, 'valueName', valueName);
      this.leaf(`${indent}  `, 'value', value);
      this.out.push(`${indent}</${name}>`);
    }
  }
  open(indent: string, name: string): void {
    this.out.push(`${indent}<${name}>`);
  }
  close(indent: string, name: string): void {
    this.out.push(`${indent}</${name}>`);
  }
}

function writeResource(l: Lines, r: CapResource, at: string): void {
  const inner = `${at}  `;
  l.open(at, 'resource');
  l.leaf(inner, 'resourceDesc', r.resourceDesc);
  l.leaf(inner, 'mimeType', r.mimeType);
  l.leaf(inner, 'size', r.size);
  l.leaf(inner, 'uri', r.uri);
  l.leaf(inner, 'derefUri', r.derefUri);
  l.leaf(inner, 'digest', r.digest);
  l.close(at, 'resource');
}

function writeArea(l: Lines, a: CapArea, at: string): void {
  const inner = `${at}  `;
  l.open(at, 'area');
  l.leaf(inner, 'areaDesc', a.areaDesc);
  l.leaves(inner, 'polygon', a.polygon);
  l.leaves(inner, 'circle', a.circle);
  l.pairs(inner, 'geocode', a.geocode);
  l.leaf(inner, 'altitude', a.altitude);
  l.leaf(inner, 'ceiling', a.ceiling);
  l.close(at, 'area');
}

function writeInfo(l: Lines, info: CapInfo, at: string): void {
  const inner = `${at}  `;
  l.open(at, 'info');
  l.leaf(inner, 'language', info.language);
  l.leaves(inner, 'category', info.category);
  l.leaf(inner, 'event', info.event);
  l.leaves(inner, 'responseType', info.responseType);
  l.leaf(inner, 'urgency', info.urgency);
  l.leaf(inner, 'severity', info.severity);
  l.leaf(inner, 'certainty', info.certainty);
  l.leaf(inner, 'audience', info.audience);
  l.pairs(inner, 'eventCode', info.eventCode);
  l.leaf(inner, 'effective', info.effective);
  l.leaf(inner, 'onset', info.onset);
  l.leaf(inner, 'expires', info.expires);
  l.leaf(inner, 'senderName', info.senderName);
  l.leaf(inner, 'headline', info.headline);
  l.leaf(inner, 'description', info.description);
  l.leaf(inner, 'instruction', info.instruction);
  l.leaf(inner, 'web', info.web);
  l.leaf(inner, 'contact', info.contact);
  l.pairs(inner, 'parameter', info.parameter);
  for (const resource of info.resource) writeResource(l, resource, inner);
  for (const area of info.area) writeArea(l, area, inner);
  l.close(at, 'info');
}

/** The alert as a CAP 1.2 document (UTF-8, default namespace). */
export function writeCap(alert: CapAlert): string {
  const l = new Lines();
  const a = '  ';
  l.out.push('<?xml version="1.0" encoding="UTF-8"?>', `<alert xmlns="${CAP_NAMESPACE}">`);
  l.leaf(a, 'identifier', alert.identifier);
  l.leaf(a, 'sender', alert.sender);
  l.leaf(a, 'sent', alert.sent);
  l.leaf(a, 'status', alert.status);
  l.leaf(a, 'msgType', alert.msgType);
  l.leaf(a, 'source', alert.source);
  l.leaf(a, 'scope', alert.scope);
  l.leaf(a, 'restriction', alert.restriction);
  l.leaf(a, 'addresses', alert.addresses);
  l.leaves(a, 'code', alert.code);
  l.leaf(a, 'note', alert.note);
  l.leaf(a, 'references', alert.references);
  l.leaf(a, 'incidents', alert.incidents);
  for (const info of alert.info) writeInfo(l, info, a);
  l.out.push('</alert>', '');
  return l.out.join('\n');
}
