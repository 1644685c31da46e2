/**
 * Hostile XML: entity expansion (billion laughs, quadratic blow-up), external
 * entities (a local file, a URL, a parameter entity), deep nesting, and
 * mutations of a real CAP 1.2 alert (truncated, elements dropped, duplicated,
 * bytes flipped, odd encodings).
 */
import { warningToCap } from '../../signaling/src/command/cap/capExport.ts';
import { sampleWarning } from '../../signaling/src/command/cap/capFixtures.ts';
import type { Random } from './random.ts';

export function billionLaughs(levels = 10): string {
  let dtd = '<!ENTITY lol0 "lol">';
  for (let i = 1; i < levels; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?><!DOCTYPE alert [${dtd}]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol${levels - 1};</identifier></alert>`;
}

export function quadraticBlowup(): string {
  const big = 'A'.repeat(50_000);
  return `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "${big}">]><alert>${'&a;'.repeat(15)}</alert>`;
}

export const EXTERNAL_ENTITIES = [
  '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><alert><identifier>&xxe;</identifier></alert>',
  '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/">]><alert><identifier>&xxe;</identifier></alert>',
  '<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><alert/>',
  '<?xml version="1.0"?><!DOCTYPE alert SYSTEM "file:///dev/random"><alert/>',
  '<alert xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></alert>',
];

export function deepXml(depth: number): string {
  return `<alert>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</alert>`;
}

/** The named hostile documents, each sent as is. */
export function xmlBombs(): { name: string; xml: string }[] {
  return [
    { name: 'billion laughs (10^9)', xml: billionLaughs(10) },
    { name: 'quadratic blow-up', xml: quadraticBlowup() },
    ...EXTERNAL_ENTITIES.map((xml, i) => ({ name: `external entity ${i + 1}`, xml })),
    { name: 'nesting 10,000 deep', xml: deepXml(10_000) },
    { name: 'nesting 100,000 deep', xml: deepXml(100_000) },
    { name: '100,000 attributes', xml: `<alert ${Array.from({ length: 100_000 }, (_, i) => `a${i}="1"`).join(' ')}/>` },
    { name: 'a 900 kB text node of &amp;', xml: `<alert><note>${'&amp;'.repeat(180_000)}</note></alert>` },
  ];
}

export function capDocument(): string {
  return warningToCap(sampleWarning());
}

const CAP_MUTATIONS = [
  'truncate',
  'dropElement',
  'duplicateElement',
  'flipBytes',
  'oddText',
  'encoding',
  'wrapBomb',
] as const;

/** A mutation of a real CAP alert, and what was done to it. */
export function mutateCap(random: Random, cap: string): { name: string; xml: string } {
  const mutation = random.pick(CAP_MUTATIONS);
  const elements = [...cap.matchAll(/<(\w+)>[^<]*<\/\1>/g)];
  const element = elements.length > 0 ? random.pick(elements) : undefined;
  switch (mutation) {
    case 'truncate':
      return { name: mutation, xml: cap.slice(0, random.int(0, cap.length - 1)) };
    case 'dropElement':
      return { name: `${mutation} ${element?.[1]}`, xml: element ? cap.replace(element[0], '') : cap };
    case 'duplicateElement':
      return {
        name: `${mutation} ${element?.[1]}`,
        xml: element ? cap.replace(element[0], element[0].repeat(random.int(2, 50))) : cap,
      };
    case 'flipBytes': {
      const bytes = Buffer.from(cap);
      for (let i = random.int(1, 20); i > 0; i--) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      return { name: mutation, xml: bytes.toString('latin1') };
    }
    case 'oddText': {
      const odd = random.pick([
        '\u0000',
        '\ud800',
        ']]>',
        '<![CDATA[',
        '&#0;',
        '&#xD800;',
        '&#1114112;',
        '\u202e',
        'x'.repeat(200_000),
        '&unknown;',
      ]);
      return {
        name: `${mutation} ${element?.[1]}`,
        xml: element ? cap.replace(element[0], `<${element[1]}>${odd}</${element[1]}>`) : cap,
      };
    }
    case 'encoding':
      return {
        name: mutation,
        xml: cap.replace('encoding="UTF-8"', random.pick(['encoding="UTF-16"', 'encoding="EBCDIC"', 'encoding="x"'])),
      };
    case 'wrapBomb':
      return {
        name: mutation,
        xml: cap.replace(/^<\?xml[^>]*>/, `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "${'b'.repeat(1000)}">]>`),
      };
  }
}
