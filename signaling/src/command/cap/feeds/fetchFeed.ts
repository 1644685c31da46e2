/**
 * Fetching a CAP feed: one URL that answers with a CAP 1.2 alert, or with an
 * Atom or RSS index whose entries link to CAP alerts (how national and
 * provincial warning platforms publish). Everything from the network is
 * bounded: time (timeout), bytes (read in chunks, dropped past the limit) and
 * shape (the XML checks of xmlSafety.ts before any parser sees the text).
 * A page of HTML, a bomb or a timeout is `cap_feed_invalid` with the reason.
 */
import { BeaconError } from '@beacon/protocol';
import { XMLParser } from 'fast-xml-parser';
import { checkXmlText, localName } from '../xmlSafety.ts';

export interface FetchLimits {
  /** Per request (default 15 s). */
  timeoutMs: number;
  /** Per document (default 2 MB; a CAP message is at most 1 MB anyway). */
  maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 2 * 1024 * 1024 };

const ACCEPT = 'application/cap+xml, application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8';

const refuse = (what: string, cause?: unknown) =>
  new BeaconError('cap_feed_invalid', what, cause === undefined ? undefined : { cause });

/** The body as text, or `cap_feed_invalid`: not 2xx, HTML, larger than allowed, too slow. */
export async function fetchXml(url: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: ACCEPT },
      redirect: 'follow',
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (err) {
    throw refuse(`${url}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`, err);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw refuse(`${url}: HTTP ${response.status}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (/text\/html|application\/xhtml/i.test(type)) {
    await response.body?.cancel();
    throw refuse(`${url}: serves HTML (${type}), not CAP, Atom or RSS`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw refuse(`${url}: ${declared} bytes, more than ${limits.maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel();
        throw refuse(`${url}: more than ${limits.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BeaconError) throw err;
    throw refuse(`${url}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`, err);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What a feed URL served. */
export type FeedDocument = { kind: 'cap'; xml: string } | { kind: 'index'; entries: { url: string; key: string }[] };

const indexParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ['entry', 'item', 'link', 'enclosure'].includes(localName(name)),
  removeNSPrefix: true,
});

type Node = Record<string, unknown>;
const asNodes = (value: unknown): Node[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is Node => typeof v === 'object' && v !== null,
  );
const textOf = (value: unknown): string =>
  typeof value === 'string'
    ? value.trim()
    : typeof value === 'object' && value !== null
      ? textOf((value as Node)['#text'])
      : '';

/** The CAP link of an Atom entry: typed application/cap+xml first, then the alternate, then the first. */
function atomLink(entry: Node): string {
  const links = asNodes(entry.link);
  const cap = links.find((l) => /cap\+xml/i.test(String(l['@_type'] ?? '')));
  const alternate = links.find((l) => (l['@_rel'] ?? 'alternate') === 'alternate');
  return String((cap ?? alternate ?? links[0])?.['@_href'] ?? '').trim();
}

function rssLink(item: Node): string {
  const enclosure = asNodes(item.enclosure).find((e) => /xml/i.test(String(e['@_type'] ?? '')));
  // `link` is always a list (Atom's are elements); RSS's is text.
  const link = Array.isArray(item.link) ? item.link[0] : item.link;
  return String(enclosure?.['@_url'] ?? '').trim() || textOf(link);
}

/**
 * Reads what the feed URL served: a CAP alert (handed on as text, parseCap checks it) or an
 * Atom/RSS index (entry links resolved against the feed URL; http(s) only). Anything else,
 * HTML above all, is `cap_feed_invalid`.
 */
export function readFeedDocument(xml: string, feedUrl: string, maxBytes: number): FeedDocument {
  const head = xml.slice(0, 2048).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) throw refuse(`${feedUrl}: serves HTML, not CAP`);
  checkXmlText(xml, maxBytes, 'cap_feed_invalid');
  let doc: Node;
  try {
    doc = indexParser.parse(xml) as Node;
  } catch (err) {
    throw refuse(`${feedUrl}: ${(err as Error).message}`, err);
  }
  const root = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  const body = root ? asNodes(doc[root])[0] : undefined;
  const entries: { url: string; key: string }[] = [];
  const add = (link: string, stamp: string) => {
    if (!link) return;
    let url: URL;
    try {
      url = new URL(link, feedUrl);
    } catch {
      return;
    }
    if (url.protocol === 'http:' || url.protocol === 'https:')
      entries.push({ url: url.href, key: `${url.href}|${stamp}` });
  };
  switch (root) {
    case 'alert':
      return { kind: 'cap', xml };
    case 'feed':
      for (const entry of asNodes(body?.entry)) add(atomLink(entry), textOf(entry.updated) || textOf(entry.id));
      return { kind: 'index', entries };
    case 'rss':
      for (const item of asNodes(asNodes(body?.channel)[0]?.item))
        add(rssLink(item), textOf(item.pubDate) || textOf(item.guid));
      return { kind: 'index', entries };
    case 'html':
      throw refuse(`${feedUrl}: serves HTML, not CAP`);
    default:
      throw refuse(`${feedUrl}: <${root ?? '?'}> is neither a CAP alert nor an Atom or RSS feed`);
  }
}
