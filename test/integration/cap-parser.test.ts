/**
 * Beacon's CAP 1.2 export read by an independent parser (@dec112/cap-ts, on
 * xml2js), and an alert written by that library's builder read by Beacon's
 * importer. Lives here because @dec112/cap-ts is a dependency of the test
 * workspace, not of signaling.
 */
import { CAP_1_2 } from '@dec112/cap-ts';
import {
  AlertBuilder,
  AreaBuilder,
  Category,
  Certainty,
  InfoBuilder,
  MsgType,
  Parameter,
  Scope,
  Severity,
  Status,
  Urgency,
} from '@dec112/cap-ts/builder';
import { describe, expect, it } from 'vitest';
import { capDraft } from '../../signaling/src/command/cap/capDraft.ts';
import { warningToCap } from '../../signaling/src/command/cap/capExport.ts';
import { foreignMessages, sampleWarning } from '../../signaling/src/command/cap/capFixtures.ts';
import { parseCap } from '../../signaling/src/command/cap/capParse.ts';

const C = CAP_1_2;

describe('CAP export read by @dec112/cap-ts', () => {
  it('keeps every alert, info, parameter and area field intact', async () => {
    const w = sampleWarning();
    const alert = await C.Alert.fromXML(warningToCap(w, { senderName: '楚雄市应急管理局' }));

    expect(alert.identifier).toBe('beacon-w1');
    expect(alert.sender).toBe('beacon@chuxiong.gov.cn');
    expect(alert.sent).toBe('2026-11-26T10:10:00+08:00');
    expect(C._to_string_Alert_status(alert.status)).toBe('Actual');
    expect(C._to_string_Alert_msgType(alert.msgType)).toBe('Alert');
    expect(C._to_string_Alert_scope(alert.scope)).toBe('Public');
    expect(alert.incidents).toBe('inc-7');
    expect(alert.info_list).toHaveLength(1);

    const info = alert.info_list[0] as InstanceType<typeof C.Alert_info_list_info>;
    expect(info.language).toBe('zh-CN');
    expect(info.category_list.map(C._to_string_Alert_info_list_info_category_list_category)).toEqual(['Met']);
    expect(info.event).toBe(w.event);
    expect(info.responseType_list.map(C._to_string_Alert_info_list_info_responseType_list_responseType)).toEqual([
      'Prepare',
    ]);
    expect(C._to_string_Alert_info_list_info_urgency(info.urgency)).toBe(w.urgency);
    expect(C._to_string_Alert_info_list_info_severity(info.severity)).toBe(w.severity);
    expect(C._to_string_Alert_info_list_info_certainty(info.certainty)).toBe(w.certainty);
    expect(info.effective).toBe('2026-11-26T10:15:00+08:00');
    expect(info.expires).toBe('2026-11-27T10:15:00+08:00');
    expect(info.senderName).toBe('楚雄市应急管理局');
    expect(info.headline).toBe(w.headline); // "<注意> & 防范" survives escaping
    expect(info.description).toBe(w.description); // so does the CR of a CR LF
    expect(info.instruction).toBe(w.instruction);
    expect(info.parameter_list.map((p) => [p.valueName, p.value])).toEqual([
      ['beacon:colour', 'orange'],
      ['beacon:escalationMinutes', '15'],
    ]);
    expect(info.area_list).toHaveLength(1);
    const area = info.area_list[0] as InstanceType<typeof C.Alert_info_list_info_area_list_area>;
    expect(area.areaDesc).toBe('鹿城镇、东瓜镇');
    expect(area.polygon_list).toEqual(['24.98,101.5 25.08,101.5 25.08,101.65 24.98,101.65 24.98,101.5']);
    expect(area.circle_list).toBeUndefined();
    expect(area.geocode_list.map((g) => [g.valueName, g.value])).toEqual([
      ['beacon:township', 'donggua'],
      ['beacon:township', 'lucheng'],
    ]);

    // The library's own checks: the info passes; the alert only misses a <code>, which
    // cap-ts demands although CAP 1.2 makes it optional (minOccurs="0").
    expect(info.validate()).toBeUndefined();
    expect(alert.validate()?.message).toBe("'code_list' cannot be empty");
  });

  it('reads a circle and a Cancel', async () => {
    const w = sampleWarning({ status: 'cancelled', area: { type: 'circle', center: [25.04, 101.54], radiusKm: 13.2 } });
    const alert = await C.Alert.fromXML(warningToCap(w));
    expect(C._to_string_Alert_msgType(alert.msgType)).toBe('Cancel');
    expect(alert.identifier).toBe('beacon-w1.cancel');
    expect(alert.references).toBe('beacon@chuxiong.gov.cn,beacon-w1,2026-11-26T10:10:00+08:00');
    expect(alert.info_list[0]?.area_list[0]?.circle_list).toEqual(['25.04,101.54 13.2']);
  });
});

describe('CAP written by @dec112/cap-ts read by capToWarning', () => {
  // cap-ts 0.3.2's toXML writes <polygon>/<circle> after </area>, as children of <info>:
  // that is no shape of the area (the draft asks the officer for one); put back, it is read.
  it('reads no area from the builder output with the shape outside <area>, and the circle once repaired', () => {
    const area = new AreaBuilder('楚雄市东部');
    area.circle_list = ['25.02,101.6 8'];
    const info = new InfoBuilder('森林火险', Urgency.expected, Severity.moderate, Certainty.likely, [Category.fire]);
    info.language = 'zh-CN';
    info.expires = '2026-11-28T18:00:00+08:00';
    info.headline = '森林火险黄色预警';
    info.parameter_list = [new Parameter('beacon:colour', 'yellow')];
    info.area_list = [area.build()];
    const alert = new AlertBuilder(
      'fire-0042',
      'forestry@chuxiong',
      '2026-11-28T08:00:00+08:00',
      Status.actual,
      MsgType.alert,
      Scope.public_,
    );
    alert.info_list = [info];

    const written = alert.build().toXML();
    expect(written).toMatch(/<\/area>\s*<circle>/);
    expect(capDraft(parseCap(written))?.area).toBeNull();

    const repaired = written.replace(/<\/areaDesc>\s*<\/area>\s*(<circle>[^<]*<\/circle>)/, '</areaDesc>$1</area>');
    expect(repaired).not.toBe(written);
    expect(parseCap(repaired)).toMatchObject({
      identifier: 'fire-0042',
      sender: 'forestry@chuxiong',
      sent: '2026-11-28T08:00:00+08:00',
    });
    expect(capDraft(parseCap(repaired))).toMatchObject({
      event: '森林火险',
      colour: 'yellow',
      severity: 'Moderate',
      headline: '森林火险黄色预警',
      area: { type: 'circle', center: [25.02, 101.6], radiusKm: 8 },
      areaDesc: '楚雄市东部',
      effective: '2026-11-28T00:00:00.000Z',
      expires: '2026-11-28T10:00:00.000Z',
    });
  });
});

describe('exports of warnings from outside read by @dec112/cap-ts', () => {
  // Each message written by others, exported with Beacon's parameters added: the independent
  // parser sees the same identifier, infos, parameters (Beacon's last) and areas.
  it.each(Object.entries(foreignMessages()))('%s', async (_name, xml) => {
    const original = parseCap(xml);
    const read = capDraft(original);
    const warning = sampleWarning({ area: read?.area ?? null, colour: 'yellow', affectedTownshipIds: ['lucheng'] });
    const alert = await C.Alert.fromXML(warningToCap(warning, {}, original));
    expect(alert.identifier).toBe(original.identifier);
    expect(alert.sender).toBe(original.sender);
    expect(alert.sent).toBe(original.sent);
    expect(alert.references ?? undefined).toBe(original.references);
    expect(alert.info_list).toHaveLength(original.info.length);
    alert.info_list.forEach((info, index) => {
      const theirs = original.info[index];
      expect(info.event).toBe(theirs?.event);
      expect(info.headline ?? undefined).toBe(theirs?.headline);
      expect((info.area_list ?? []).length).toBe(theirs?.area.length);
      const names = (info.parameter_list ?? []).map((p) => p.valueName);
      expect(names.slice(0, theirs?.parameter.length)).toEqual(theirs?.parameter.map((p) => p.valueName));
      if (index === read?.infoIndex) expect(names).toContain('beacon:colour');
      else expect(names.some((n) => n.startsWith('beacon:'))).toBe(false);
    });
  });
});
