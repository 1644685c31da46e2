/**
 * The checks every XML text from outside passes before a parser sees it: a
 * byte limit, no DTD (so no entity can be declared: no billion laughs, no
 * external entities), no entity references but XML's five and character
 * references, and well-formedness by fast-xml-parser's validator (the XML
 * library the tree already has). fast-xml-parser expands entities declared in
 * a DOCTYPE when asked to process entities, so refusing every DOCTYPE first is
 * what keeps expansion impossible, whatever the parser's options.
 */
import { BeaconError, type ErrorCode } from '@beacon/protocol';
import { XMLValidator } from 'fast-xml-parser';

/** Strips CDATA sections and comments, where `&` and `<!` are plain text. */
const markupOnly = (xml: string) => xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');

/**
 * Throws `BeaconError(code, 'xml: …')` unless `xml` is a well-formed document
 * of at most `maxBytes` UTF-8 bytes without DTD or undeclared entities.
 */
export function checkXmlText(xml: string, maxBytes: number, code: ErrorCode): void {
  const invalid = (where: string, what: string) => new BeaconError(code, `${where}: ${what}`);
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > maxBytes) throw invalid('alert', `message is ${bytes} bytes, more than ${maxBytes / 1024 / 1024} MB`);
  const markup = markupOnly(xml);
  if (/<!DOCTYPE|<!ENTITY/i.test(markup)) throw invalid('xml', 'DOCTYPE and entity declarations are refused');
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)[^\s;<]{0,20};?/.exec(markup);
  if (entity) throw invalid('xml', `undefined entity or bare "&": "${entity[0]}"`);
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw invalid('xml', `not well-formed: ${verdict.err.msg} (line ${verdict.err.line}, column ${verdict.err.col})`);
  }
}

/** The local name of a possibly prefixed element name (`cap:alert` → `alert`). */
export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);
