import type { WarningView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { capCategory } from './capCategory.ts';
import { capDraft } from './capDraft.ts';
import { warningToCap } from './capExport.ts';
import { sampleWarning, xsdProblem } from './capFixtures.ts';
import { capDateTimeProblem, formatCapDateTime } from './capFormat.ts';
import { parseCap } from './capParse.ts';

/** What Beacon reads back from a CAP text: the alert and the draft content. */
function capToWarning(xml: string) {
  const alert = parseCap(xml);
  const draft = capDraft(alert);
  return {
    ...draft,
    identifier: alert.identifier,
    sender: alert.sender,
    sent: new Date(alert.sent).toISOString(),
    status: alert.status,
    msgType: alert.msgType,
    references: alert.references ? alert.references.split(/\s+/) : [],
  };
}

/** The fields a CAP round trip must carry (what the importer hands to createWarning). */
function requestFields(w: WarningView) {
  const { event, colour, urgency, severity, certainty, headline, description, instruction, area, areaDesc } = w;
  return { event, colour, urgency, severity, certainty, headline, description, instruction, area, areaDesc };
}

describe('CAP date-times', () => {
  it('writes seconds with an explicit offset, never Z and never fractions', () => {
    const at = new Date('2026-11-26T02:15:00.987Z');
    expect(formatCapDateTime(at)).toBe('2026-11-26T10:15:00+08:00');
    expect(formatCapDateTime(at, 0)).toBe('2026-11-26T02:15:00+00:00');
    expect(formatCapDateTime(at, -330)).toBe('2026-11-25T20:45:00-05:30');
    expect(formatCapDateTime(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01T00:30:00+08:00');
  });

  it.each([
    ['2026-11-26T10:15:00+08:00', null],
    ['2026-11-26T02:15:00-00:00', null],
    ['2026-11-26T02:15:00Z', /"Z"/],
    ['2026-11-26T10:15:00', /explicit offset/],
    ['2026-11-26T10:15:00.5+08:00', /fractional/],
    ['2026-04-31T10:15:00+08:00', /not a real/],
    ['2026-11-26 10:15:00+08:00', /explicit offset/],
  ] as const)('%s', (text, problem) => {
    if (problem === null) expect(capDateTimeProblem(text)).toBeNull();
    else expect(capDateTimeProblem(text)).toMatch(problem);
  });
});

describe('warningToCap', () => {
  it('writes an Actual Alert with every field, escaped, in +08:00', () => {
    const xml = warningToCap(sampleWarning(), { senderName: '楚雄市应急管理局' });
    expect(xml).toContain('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">');
    expect(xml).toContain('<sent>2026-11-26T10:10:00+08:00</sent>'); // the issue time
    expect(xml).toContain('<status>Actual</status>');
    expect(xml).toContain('<msgType>Alert</msgType>');
    expect(xml).toContain('<scope>Public</scope>');
    expect(xml).toContain('<incidents>inc-7</incidents>');
    expect(xml).toContain('<category>Met</category>');
    expect(xml).toContain('<effective>2026-11-26T10:15:00+08:00</effective>');
    expect(xml).toContain('<headline>楚雄市发布暴雨橙色预警 &lt;注意&gt; &amp; 防范</headline>');
    expect(xml).toContain('<polygon>24.98,101.5 25.08,101.5 25.08,101.65 24.98,101.65 24.98,101.5</polygon>');
    expect(xml).toMatch(/<valueName>beacon:colour<\/valueName>\s*<value>orange<\/value>/);
    expect(xml).toMatch(/<valueName>beacon:township<\/valueName>\s*<value>lucheng<\/value>/);
    expect(xml).not.toMatch(/\d[zZ]</);
  });

  it('closes an open polygon and writes a circle as "lat,lon km"', () => {
    const open = sampleWarning({
      area: {
        type: 'polygon',
        points: [
          [25, 101.5],
          [25.1, 101.5],
          [25.1, 101.6],
        ],
      },
    });
    expect(warningToCap(open)).toContain('<polygon>25,101.5 25.1,101.5 25.1,101.6 25,101.5</polygon>');
    const round = sampleWarning({ area: { type: 'circle', center: [25.04, 101.54], radiusKm: 12.5 } });
    expect(warningToCap(round)).toContain('<circle>25.04,101.54 12.5</circle>');
  });

  it('makes a cancelled warning a Cancel message referencing the original alert', () => {
    const xml = warningToCap(sampleWarning({ status: 'cancelled' }), { sent: new Date('2026-11-26T05:00:00Z') });
    expect(xml).toContain('<identifier>beacon-w1.cancel</identifier>');
    expect(xml).toContain('<msgType>Cancel</msgType>');
    expect(xml).toContain('<sent>2026-11-26T13:00:00+08:00</sent>');
    expect(xml).toContain('<references>beacon@chuxiong.gov.cn,beacon-w1,2026-11-26T10:10:00+08:00</references>');
    const imported = capToWarning(xml);
    expect(imported.msgType).toBe('Cancel');
    expect(imported.references).toEqual(['beacon@chuxiong.gov.cn,beacon-w1,2026-11-26T10:10:00+08:00']);
  });

  it('writes several shapes into one area, and validates against the OASIS XSD', async () => {
    const w = sampleWarning({
      area: {
        type: 'multi',
        parts: [
          { type: 'circle', center: [25.04, 101.54], radiusKm: 5 },
          {
            type: 'polygon',
            points: [
              [25, 101.5],
              [25.1, 101.5],
              [25.1, 101.6],
            ],
          },
        ],
      },
    });
    const xml = warningToCap(w);
    expect(xml).toContain('<polygon>25,101.5 25.1,101.5 25.1,101.6 25,101.5</polygon>');
    expect(xml).toContain('<circle>25.04,101.54 5</circle>');
    expect(await xsdProblem(xml)).toBeNull();
    expect(await xsdProblem(warningToCap(sampleWarning({ status: 'cancelled' })))).toBeNull();
    expect(capToWarning(xml).area).toEqual({
      type: 'multi',
      parts: [
        {
          type: 'polygon',
          points: [
            [25, 101.5],
            [25.1, 101.5],
            [25.1, 101.6],
            [25, 101.5],
          ],
        },
        { type: 'circle', center: [25.04, 101.54], radiusKm: 5 },
      ],
    });
  });

  it('marks a draft Draft and drops characters XML cannot carry', () => {
    const xml = warningToCap(sampleWarning({ status: 'draft', issuedAt: null, instruction: 'a\u0000b\u001Fc' }));
    expect(xml).toContain('<status>Draft</status>');
    expect(capToWarning(xml).instruction).toBe('abc');
  });

  it('derives the category from the incident type, else from the event words', () => {
    expect(capCategory('预警', 'landslide')).toBe('Geo');
    expect(capCategory('预警', 'road_blocked')).toBe('Safety');
    expect(capCategory('森林火险橙色预警')).toBe('Fire');
    expect(capCategory('地质灾害气象风险预警')).toBe('Geo');
    expect(capCategory('山洪灾害预警')).toBe('Met');
    expect(capCategory('水质污染预警')).toBe('Env');
    expect(capCategory('停电通知')).toBe('Other');
    expect(warningToCap(sampleWarning(), { incidentType: 'forest_fire' })).toContain('<category>Fire</category>');
  });
});

describe('capToWarning(warningToCap(w))', () => {
  it.each([
    ['polygon', sampleWarning()],
    ['circle', sampleWarning({ area: { type: 'circle', center: [25.04, 101.54], radiusKm: 13.2 }, colour: 'red' })],
    ['empty texts', sampleWarning({ description: '', instruction: '', escalationMinutes: 0 })],
  ])('gives back the warning (%s)', (_name, w) => {
    const imported = capToWarning(warningToCap(w));
    expect(imported).toMatchObject(requestFields(w));
    expect(imported).toMatchObject({
      identifier: w.identifier,
      sender: w.sender,
      sent: w.issuedAt,
      status: 'Actual',
      msgType: 'Alert',
      references: [],
      effective: w.effective,
      expires: w.expires,
      escalationMinutes: w.escalationMinutes,
    });
  });

  it('gives back the same instants whatever offset the export used', () => {
    const w = sampleWarning();
    const imported = capToWarning(warningToCap(w, { utcOffsetMinutes: -300 }));
    expect([imported.effective, imported.expires]).toEqual([w.effective, w.expires]);
  });
});
