/**
 * A realistic issued warning for the CAP tests (and the cross-service test
 * that checks the export with an independent parser). Not a test itself.
 */
import type { WarningView } from '@beacon/protocol';

export function sampleWarning(overrides: Partial<WarningView> = {}): WarningView {
  return {
    id: 'w1',
    departmentIds: [],
    identifier: 'beacon-w1',
    sender: 'beacon@chuxiong.gov.cn',
    event: '暴雨橙色预警',
    colour: 'orange',
    urgency: 'Expected',
    severity: 'Severe',
    certainty: 'Likely',
    headline: '楚雄市发布暴雨橙色预警 <注意> & 防范',
    description: '未来6小时降雨量将达50毫米以上。\r\n请注意防范 "山洪" \'滑坡\'。',
    instruction: '低洼地区群众请立即转移。',
    area: {
      type: 'polygon',
      points: [
        [24.98, 101.5],
        [25.08, 101.5],
        [25.08, 101.65],
        [24.98, 101.65],
        [24.98, 101.5],
      ],
    },
    areaDesc: '鹿城镇、东瓜镇',
    effective: '2026-11-26T02:15:00.000Z',
    expires: '2026-11-27T02:15:00.000Z',
    status: 'issued',
    incidentId: 'inc-7',
    affectedTownshipIds: ['donggua', 'lucheng'],
    escalationMinutes: 15,
    createdAt: '2026-11-26T02:00:00.000Z',
    createdBy: 'u-duty',
    issuedAt: '2026-11-26T02:10:00.000Z',
    issuedBy: 'u-duty',
    ...overrides,
  };
}
