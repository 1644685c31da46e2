/**
 * CAP written by others (the OASIS specification's appendix examples, the US
 * NWS, Germany's DWD, China's national release system): every message is
 * read whole, what Beacon drafts from it follows the message (nothing
 * refused for lacking what only Beacon needs), and the export gives the
 * message back element for element, Beacon's additions as parameters, valid
 * under the OASIS XSD.
 */
import { describe, expect, it } from 'vitest';
import { capDraft, pickInfo } from './capDraft.ts';
import { warningToCap } from './capExport.ts';
import { foreignMessage, foreignMessages, sampleWarning, xsdProblem } from './capFixtures.ts';
import { parseCap } from './capParse.ts';
import type { CapAlert } from './capSchema.ts';
import { writeCap } from './capWrite.ts';

const messages = Object.entries(foreignMessages());

/** The alert without Beacon's parameters: what the sender wrote. */
function withoutBeacon(alert: CapAlert): CapAlert {
  return {
    ...alert,
    info: alert.info.map((i) => ({ ...i, parameter: i.parameter.filter((p) => !p.valueName.startsWith('beacon:')) })),
  };
}

describe('CAP messages written by others', () => {
  it('has the fixtures the tests name (four OASIS examples, three national services)', () => {
    expect(messages.map(([name]) => name)).toEqual([
      'cn-rainstorm-chuxiong',
      'dwd-frost-de-en',
      'nws-beach-hazards-update',
      'oasis-a1-homeland-security',
      'oasis-a2-thunderstorm',
      'oasis-a3-earthquake-update',
      'oasis-a4-amber-multilingual',
    ]);
  });

  it.each(messages)('%s: the fixture itself is valid under the OASIS XSD', async (_name, xml) => {
    expect(await xsdProblem(xml)).toBeNull();
  });

  it.each(messages)('%s: written again, it reads back identical and stays XSD-valid', async (_name, xml) => {
    const alert = parseCap(xml);
    const written = writeCap(alert);
    expect(parseCap(written)).toEqual(alert);
    expect(await xsdProblem(written)).toBeNull();
  });

  it.each(messages)(
    '%s: exported as a warning, the message comes back with Beacon’s parameters only added',
    async (_name, xml) => {
      const alert = parseCap(xml);
      const read = capDraft(alert);
      expect(read).not.toBeNull();
      const warning = sampleWarning({
        area: read?.area ?? null,
        expires: read?.expires ?? '2026-12-01T00:00:00.000Z',
        colour: 'red',
        escalationMinutes: 25,
        affectedTownshipIds: ['lucheng'],
      });
      const exported = warningToCap(warning, {}, alert);
      expect(await xsdProblem(exported)).toBeNull();
      const back = parseCap(exported);
      expect(withoutBeacon(back)).toEqual(withoutBeacon(alert));
      const info = back.info[pickInfo(back.info)];
      const own = info?.parameter.filter((p) => p.valueName.startsWith('beacon:'));
      expect(own).toEqual(
        expect.arrayContaining([
          { valueName: 'beacon:colour', value: 'red' },
          { valueName: 'beacon:escalationMinutes', value: '25' },
          { valueName: 'beacon:township', value: 'lucheng' },
        ]),
      );
      // Imported again, Beacon's decisions come back.
      expect(capDraft(back)).toMatchObject({ colour: 'red', escalationMinutes: 25, townshipIds: ['lucheng'] });
    },
  );
});

describe('what Beacon drafts from them', () => {
  it('A.1: no <expires> and an area by name only are kept as missing, not refused', () => {
    const alert = parseCap(foreignMessage('oasis-a1-homeland-security'));
    expect(alert.info[0]?.resource).toEqual([
      { resourceDesc: 'Image file (GIF)', mimeType: 'image/gif', uri: 'http://www.dhs.gov/dhspublic/getAdvisoryImage' },
    ]);
    expect(capDraft(alert)).toMatchObject({
      event: 'Homeland Security Advisory System Update',
      colour: 'orange',
      severity: 'Severe',
      expires: null,
      area: null,
      areaDesc: 'U.S. nationwide and interests worldwide',
      effective: '2003-04-02T19:39:01.000Z', // <sent>, as CAP says when <effective> is absent
    });
  });

  it('A.3: an Update with references and a circle of radius 0 (a point: no drawable area)', () => {
    const alert = parseCap(foreignMessage('oasis-a3-earthquake-update'));
    expect(alert).toMatchObject({
      msgType: 'Update',
      references: 'trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00',
    });
    expect(alert.info[0]?.parameter).toHaveLength(5);
    expect(alert.info[0]?.area[0]?.circle).toEqual(['32.9525,-115.5527 0']);
    expect(capDraft(alert)).toMatchObject({ area: null, colour: 'blue', severity: 'Minor' });
  });

  it('A.4 and DWD: English is preferred to other languages when there is no Chinese', () => {
    const amber = parseCap(foreignMessage('oasis-a4-amber-multilingual'));
    expect(capDraft(amber)?.infoIndex).toBe(0);
    expect(capDraft({ ...amber, info: [...amber.info].reverse() })?.infoIndex).toBe(1);
    const dwd = parseCap(foreignMessage('dwd-frost-de-en'));
    expect(capDraft(dwd)).toMatchObject({ infoIndex: 1, headline: 'Official WARNING of FROST' });
  });

  it('DWD and NWS: several areas and polygons become their union, geocodes kept', () => {
    const dwd = parseCap(foreignMessage('dwd-frost-de-en'));
    const german = capDraft({ ...dwd, info: [dwd.info[0] as CapAlert['info'][number]] });
    expect(german?.area).toMatchObject({ type: 'multi' });
    expect(german?.area?.type === 'multi' && german.area.parts).toHaveLength(3);
    expect(german?.areaDesc).toBe('Kreis Ahrweiler、Stadt Bonn');
    expect(german?.geocodes.map((g) => g.value)).toEqual(['107131000', '105314000']);
    expect(dwd.info[0]?.eventCode.map((e) => e.valueName)).toEqual([
      'PROFILE_VERSION',
      'LICENSE',
      'II',
      'GROUP',
      'AREA_COLOR',
    ]);
    expect(dwd.code).toHaveLength(2);
    const nws = parseCap(foreignMessage('nws-beach-hazards-update'));
    expect(nws.note).toBe('');
    expect(capDraft(nws)?.area).toMatchObject({ type: 'multi' });
  });

  it('China: the zh-CN info, its colour from the signal’s name, the area by division code', () => {
    const alert = parseCap(foreignMessage('cn-rainstorm-chuxiong'));
    expect(capDraft(alert)).toMatchObject({
      infoIndex: 0,
      event: '暴雨',
      colour: 'yellow',
      headline: '楚雄州气象台发布暴雨黄色预警信号',
      area: null,
      areaDesc: '楚雄市、南华县',
      geocodes: [
        { valueName: '行政区划代码', value: '532301' },
        { valueName: '行政区划代码', value: '532324' },
      ],
      expires: '2026-06-13T00:30:00.000Z',
    });
    // The colour named in the text wins over severity (a Chinese 橙色 warning marked Moderate).
    const orange = parseCap(foreignMessage('cn-rainstorm-chuxiong').replaceAll('黄色', '橙色'));
    expect(capDraft(orange)?.colour).toBe('orange');
  });

  it('shortens texts over Beacon’s limits in the draft only; the alert keeps them whole', () => {
    const long = '长'.repeat(400);
    const xml = foreignMessage('cn-rainstorm-chuxiong').replace('楚雄州气象台发布暴雨黄色预警信号', long);
    const alert = parseCap(xml);
    expect(capDraft(alert)?.headline).toHaveLength(300);
    expect(alert.info[0]?.headline).toBe(long);
  });
});
