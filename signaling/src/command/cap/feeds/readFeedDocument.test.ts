/**
 * What a feed URL may serve: a CAP alert, an Atom index (the typed CAP link of
 * each entry, relative links resolved), an RSS index (an XML enclosure or the
 * item's link); never HTML, a DTD or anything else — those are
 * `cap_feed_invalid` before any entry is fetched.
 */
import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { foreignMessage } from '../capFixtures.ts';
import { readFeedDocument } from './fetchFeed.ts';

const FEED = 'https://alerts.example.cn/yn/feed.atom';
const read = (xml: string) => readFeedDocument(xml, FEED, 2 * 1024 * 1024);

function refusal(xml: string): string {
  try {
    read(xml);
  } catch (err) {
    expect(err).toBeInstanceOf(BeaconError);
    expect((err as BeaconError).code).toBe('cap_feed_invalid');
    return (err as BeaconError).message;
  }
  throw new Error('accepted');
}

describe('readFeedDocument', () => {
  it('hands a CAP alert on as it is', () => {
    const xml = foreignMessage('oasis-a2-thunderstorm');
    expect(read(xml)).toEqual({ kind: 'cap', xml });
  });

  it('takes the typed CAP link of each Atom entry, resolved against the feed, http(s) only', () => {
    const doc = read(`<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <entry><id>a</id><updated>2026-06-12T08:30:00+08:00</updated>
    <link rel="alternate" type="text/html" href="/page/a.html"/>
    <link rel="related" type="application/cap+xml" href="cap/a.xml"/></entry>
  <entry><id>b</id><updated>2026-06-12T09:00:00+08:00</updated><link href="https://other.example.cn/b.xml"/></entry>
  <entry><id>c</id><link href="ftp://example.cn/c.xml"/></entry>
</feed>`);
    expect(doc).toEqual({
      kind: 'index',
      entries: [
        {
          url: 'https://alerts.example.cn/yn/cap/a.xml',
          key: 'https://alerts.example.cn/yn/cap/a.xml|2026-06-12T08:30:00+08:00',
        },
        { url: 'https://other.example.cn/b.xml', key: 'https://other.example.cn/b.xml|2026-06-12T09:00:00+08:00' },
      ],
    });
  });

  it('takes an RSS item’s XML enclosure, else its link', () => {
    const doc = read(`<rss version="2.0"><channel><title>预警</title>
  <item><title>1</title><link>https://alerts.example.cn/page/1</link>
    <enclosure url="https://alerts.example.cn/cap/1.xml" type="application/cap+xml" length="100"/><pubDate>Fri, 12 Jun 2026 00:30:00 GMT</pubDate></item>
  <item><title>2</title><link>/cap/2.xml</link><guid>2</guid></item>
</channel></rss>`);
    expect(doc.kind === 'index' && doc.entries.map((e) => e.url)).toEqual([
      'https://alerts.example.cn/cap/1.xml',
      'https://alerts.example.cn/cap/2.xml',
    ]);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>维护中</body></html>', /HTML/],
    ['XHTML without a doctype', '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', /HTML/],
    ['a billion laughs', '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aa">]><feed>&a;</feed>', /DOCTYPE/],
    ['an external entity', '<!DOCTYPE feed SYSTEM "file:///etc/passwd"><feed/>', /DOCTYPE/],
    ['JSON', '{"alerts": []}', /not well-formed/],
    ['another XML document', '<kml xmlns="http://www.opengis.net/kml/2.2"/>', /neither a CAP alert nor an Atom or RSS/],
  ])('refuses %s', (_name, xml, why) => {
    expect(refusal(xml)).toMatch(why);
  });

  it('refuses more than its byte limit', () => {
    const big = `<feed xmlns="http://www.w3.org/2005/Atom"><title>${'长'.repeat(800_000)}</title></feed>`;
    expect(refusal(big)).toMatch(/bytes/);
  });
});
