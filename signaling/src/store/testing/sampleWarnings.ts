/**
 * Warnings for tests: a yellow-to-orange rainstorm over 鹿城镇's seat, as a
 * stored draft (`sampleWarning`) or as the duty officer's form
 * (`sampleWarningForm`); each test overrides only what it is about.
 */
import type { CreateWarningRequest, WarningView } from '@beacon/protocol';

const HOUR = 3_600_000;

/** The common content: event, CAP codes, a 5 km circle around 鹿城镇. */
const RAINSTORM = {
  event: '暴雨',
  colour: 'orange',
  urgency: 'Expected',
  severity: 'Severe',
  certainty: 'Likely',
  headline: '暴雨橙色预警',
  description: '',
  instruction: '',
  area: { type: 'circle', center: [25.03, 101.57], radiusKm: 5 },
  areaDesc: '',
  incidentId: null,
  escalationMinutes: 10,
} as const satisfies Partial<WarningView>;

/** A draft as stored, effective now and expiring in an hour. */
export function sampleWarning(id: string, overrides: Partial<WarningView> = {}): WarningView {
  const now = new Date().toISOString();
  return {
    ...RAINSTORM,
    area: { ...RAINSTORM.area, center: [...RAINSTORM.area.center] },
    id,
    identifier: `beacon-${id}`,
    sender: 'test@beacon',
    effective: now,
    expires: new Date(Date.now() + HOUR).toISOString(),
    status: 'draft',
    affectedTownshipIds: ['lucheng'],
    departmentIds: [],
    createdAt: now,
    createdBy: 'u-duty',
    issuedAt: null,
    issuedBy: null,
    ...overrides,
  };
}

/** What the duty officer's warning form sends, expiring in an hour. */
export function sampleWarningForm(overrides: Partial<CreateWarningRequest> = {}): CreateWarningRequest {
  return {
    ...RAINSTORM,
    area: { ...RAINSTORM.area, center: [...RAINSTORM.area.center] },
    expires: new Date(Date.now() + HOUR).toISOString(),
    departmentIds: [],
    ...overrides,
  } as CreateWarningRequest;
}
