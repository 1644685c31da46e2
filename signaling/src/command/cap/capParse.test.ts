import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { capDraft } from './capDraft.ts';
import { warningToCap } from './capExport.ts';
import { sampleWarning } from './capFixtures.ts';
import { CAP_MAX_BYTES, parseCap } from './capParse.ts';

function rejection(xml: string): BeaconError {
  try {
    parseCap(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(BeaconError);
    expect((error as BeaconError).code).toBe('cap_invalid');
    return error as BeaconError;
  }
  throw new Error('parseCap accepted the message');
}

/** Replaces text that must be present, so a mutation can never silently miss. */
function mutate(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  expect(out).not.toBe(xml);
  return out;
}

/** As another system might send it: a `cap:` prefix, two languages, no Beacon parameters, a foreign element. */
const FOREIGN = `<?xml version="1.0" encoding="UTF-8"?>
<!-- issued by the provincial platform -->
<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2" xmlns:x="urn:example:extra">
  <cap:identifier>53000041600000-20261126101500-0001</cap:identifier>
  <cap:sender>yn.weather@cma.gov.cn</cap:sender>
  <cap:sent>2026-11-26T10:15:00+08:00</cap:sent>
  <cap:status>Actual</cap:status>
  <cap:msgType>Alert</cap:msgType>
  <cap:scope>Public</cap:scope>
  <x:routing>ignored</x:routing>
  <cap:info>
    <cap:language>en-US</cap:language>
    <cap:category>Met</cap:category>
    <cap:event>Rainstorm</cap:event>
    <cap:urgency>Immediate</cap:urgency>
    <cap:severity>Extreme</cap:severity>
    <cap:certainty>Observed</cap:certainty>
    <cap:expires>2026-11-26T22:00:00+08:00</cap:expires>
    <cap:headline>Rainstorm red warning</cap:headline>
    <cap:area><cap:areaDesc>Chuxiong</cap:areaDesc><cap:circle>25.04,101.54 20</cap:circle></cap:area>
  </cap:info>
  <cap:info>
    <cap:language>zh-CN</cap:language>
    <cap:category>Met</cap:category>
    <cap:category>Safety</cap:category>
    <cap:event>暴雨</cap:event>
    <cap:urgency>Immediate</cap:urgency>
    <cap:severity>Extreme</cap:severity>
    <cap:certainty>Observed</cap:certainty>
    <cap:expires>2026-11-26T22:00:00+08:00</cap:expires>
    <cap:headline>楚雄州气象台发布暴雨红色预警</cap:headline>
    <cap:description><![CDATA[降雨 > 100 毫米 & 持续]]></cap:description>
    <cap:area>
      <cap:areaDesc>无形状的区域</cap:areaDesc>
      <cap:geocode><cap:valueName>GB2260</cap:valueName><cap:value>532301</cap:value></cap:geocode>
    </cap:area>
    <cap:area>
      <cap:areaDesc>楚雄市北部</cap:areaDesc>
      <cap:polygon> 25.0,101.5 25.2,101.5 25.2,101.7 25.0,101.5 </cap:polygon>
    </cap:area>
  </cap:info>
</cap:alert>`;

describe('capDraft of a foreign alert', () => {
  it('takes the zh-CN info, the shapes of its areas, colour from severity, effective = sent', () => {
    const alert = parseCap(FOREIGN);
    expect(alert).toMatchObject({ identifier: '53000041600000-20261126101500-0001', sender: 'yn.weather@cma.gov.cn' });
    const w = capDraft(alert);
    expect(w).toMatchObject({
      event: '暴雨',
      colour: 'red',
      urgency: 'Immediate',
      headline: '楚雄州气象台发布暴雨红色预警',
      description: '降雨 > 100 毫米 & 持续',
      areaDesc: '无形状的区域、楚雄市北部',
      effective: '2026-11-26T02:15:00.000Z',
      expires: '2026-11-26T14:00:00.000Z',
      escalationMinutes: null,
      geocodes: [{ valueName: 'GB2260', value: '532301' }],
      area: {
        type: 'polygon',
        points: [
          [25, 101.5],
          [25.2, 101.5],
          [25.2, 101.7],
          [25, 101.5],
        ],
      },
    });
  });

  it.each([
    ['Moderate', 'yellow'],
    ['Minor', 'blue'],
    ['Unknown', 'blue'],
  ])('derives colour from severity %s', (severity, colour) => {
    // Without a colour in the headline (红色, 橙色 …), which would win.
    const alert = parseCap(
      FOREIGN.replaceAll('<cap:severity>Extreme', `<cap:severity>${severity}`).replace('暴雨红色预警', '暴雨预警'),
    );
    expect(capDraft(alert)?.colour).toBe(colour);
  });
});

describe('parseCap refuses what CAP 1.2 does not allow, always with cap_invalid', () => {
  const good = warningToCap(sampleWarning());

  it.each([
    ['not XML', () => 'this is not XML', /^xml: not well-formed/],
    ['unclosed element', () => mutate(good, '</headline>', ''), /^xml: not well-formed/],
    ['two roots', () => `${good}<alert/>`, /^xml/],
    ['wrong root', () => '<feed xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>', /^alert: root element is <feed>/],
    [
      'wrong namespace',
      () => mutate(good, 'cap:1.2"', 'cap:1.1"'),
      /^alert: namespace is "urn:oasis:names:tc:emergency:cap:1.1"/,
    ],
    ['no namespace', () => mutate(good, / xmlns="[^"]+"/, ''), /^alert: namespace is ""/],
    ['missing identifier', () => mutate(good, /<identifier>.*<\/identifier>/, ''), /^alert\/identifier: missing/],
    ['identifier with a space', () => mutate(good, 'beacon-w1<', 'beacon w1<'), /^alert\/identifier: must not contain/],
    ['bad status', () => mutate(good, '>Actual<', '>Real<'), /^alert\/status: "Real" is not one of/],
    ['bad urgency', () => mutate(good, '>Expected<', '>Soon<'), /^alert\/info\[0\]\/urgency: "Soon" is not one of/],
    ['bad category', () => mutate(good, '>Met<', '>Weather<'), /^alert\/info\[0\]\/category\[0\]:/],
    ['missing event', () => mutate(good, /<event>.*<\/event>/, ''), /^alert\/info\[0\]\/event: missing/],
    [
      'date without zone',
      () => mutate(good, '<sent>2026-11-26T10:10:00+08:00', '<sent>2026-11-26T10:10:00'),
      /^alert\/sent: .*explicit offset/,
    ],
    [
      'Z date',
      () => mutate(good, '<expires>2026-11-27T10:15:00+08:00', '<expires>2026-11-27T02:15:00Z'),
      /^alert\/info\[0\]\/expires: .*"Z"/,
    ],
    [
      'open polygon',
      () => mutate(good, '24.98,101.65 24.98,101.5<', '24.98,101.65<'),
      /^alert\/info\[0\]\/area\[0\]\/polygon\[0\]: is not closed/,
    ],
    [
      'polygon with 2 points',
      () => mutate(good, /<polygon>.*<\/polygon>/, '<polygon>25,101 25,101</polygon>'),
      /polygon\[0\]: needs at least 4/,
    ],
    [
      'polygon with text',
      () => mutate(good, /<polygon>.*<\/polygon>/, '<polygon>north of the river</polygon>'),
      /polygon\[0\]: "north" is not a "lat,lon" pair/,
    ],
    ['latitude out of range', () => mutate(good, '24.98,101.5 ', '94.98,101.5 '), /polygon\[0\]: latitude 94.98/],
    [
      'circle without radius',
      () => mutate(good, /<polygon>.*<\/polygon>/, '<circle>25.04,101.54</circle>'),
      /circle\[0\]: .*is not "lat,lon radius"/,
    ],
    [
      'Private without addresses',
      () => mutate(good, '>Public<', '>Private<'),
      /^alert\/addresses: required when scope is Private/,
    ],
    [
      'repeated identifier',
      () => mutate(good, '<sender>', '<identifier>x</identifier><sender>'),
      /^alert\/identifier: appears more than once/,
    ],
  ])('%s', (_name, make, message) => {
    expect(rejection(make()).message).toMatch(message);
  });

  it('refuses a DOCTYPE (billion laughs) before expanding anything', () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE alert [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
${good.slice(good.indexOf('<alert')).replace('<event>暴雨橙色预警', '<event>&lol3;')}`;
    expect(rejection(lol).message).toMatch(/^xml: DOCTYPE and entity declarations are refused/);
    const external = good.replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!doctype alert SYSTEM "file:///etc/passwd">',
    );
    expect(rejection(external).message).toMatch(/^xml: DOCTYPE/);
  });

  it('refuses references to undeclared entities, but decodes character references', () => {
    expect(rejection(mutate(good, '防范</headline>', '&nbsp;防范</headline>')).message).toMatch(
      /^xml: undefined entity/,
    );
    expect(rejection(mutate(good, '防范</headline>', 'A & B</headline>')).message).toMatch(
      /^xml: undefined entity or bare "&"/,
    );
    expect(parseCap(mutate(good, '防范</headline>', '&#38;&#x4E2D;</headline>')).info[0]?.headline).toMatch(/&中$/);
  });

  it('refuses more than 1 MB, counted in bytes', () => {
    const padding = '中'.repeat(Math.ceil(CAP_MAX_BYTES / 3)); // 3 bytes each in UTF-8, fewer than 1 MB characters
    expect(padding.length).toBeLessThan(CAP_MAX_BYTES);
    const big = mutate(good, '<instruction>', `<instruction>${padding}`);
    expect(rejection(big).message).toMatch(/^alert: message is \d+ bytes, more than 1 MB/);
  });

  it('throws nothing but cap_invalid for odd input', () => {
    for (const odd of [
      '',
      '<',
      '<alert/>',
      '<?xml version="1.0"?>',
      '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>',
    ]) {
      expect(rejection(odd).code).toBe('cap_invalid');
    }
    expect(rejection(undefined as unknown as string).message).toMatch(/^xml: expected the message as text/);
  });
});

describe('parseCap accepts what CAP 1.2 allows, whatever Beacon lacks', () => {
  const good = warningToCap(sampleWarning());

  it.each([
    ['a circle of radius 0', () => mutate(good, /<polygon>.*<\/polygon>/, '<circle>25.04,101.54 0</circle>')],
    ['an area without a shape', () => mutate(good, /<polygon>.*<\/polygon>/, '')],
    ['no <info> at all', () => mutate(good, /<info>[\s\S]*<\/info>/, '')],
    ['no <expires>', () => mutate(good, /<expires>.*<\/expires>/, '')],
    ['an Ack', () => mutate(good, '>Alert<', '>Ack<')],
    ['a colour parameter Beacon does not know', () => mutate(good, '<value>orange<', '<value>purple<')],
    [
      'a headline longer than Beacon shows',
      () => mutate(good, /<headline>.*<\/headline>/, `<headline>${'长'.repeat(301)}</headline>`),
    ],
  ])('%s', (_name, make) => {
    expect(() => parseCap(make())).not.toThrow();
  });
});

describe('a refusal', () => {
  it('tells at most 200 characters of what was wrong, however large the bad value', () => {
    const huge = 'x'.repeat(200_000);
    const xml = `<?xml version="1.0"?><alert xmlns="${huge}"><identifier>a</identifier></alert>`;
    let message = '';
    try {
      parseCap(xml);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^alert: namespace is/);
    expect(message.length).toBeLessThan(260);
  });
});
