/** The plan editor's working copy and the checklist's red state, without a browser. */
import type { ChecklistItemView, PlanView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { bodyOf, draftOf, INCIDENT_TOWNSHIP } from './planDraft.ts';
import { isLate } from './plansApi.ts';

const stored: PlanView = {
  id: 'p1',
  type: 'flood',
  level: 'III',
  version: 2,
  title: '防汛 III 级',
  steps: [
    { text: '转移群众', unitKind: 'township', unitId: null, minutes: 30 },
    { text: '值班调度', unitKind: 'desk', unitId: null, minutes: 10 },
  ],
  warning: null,
  tasks: [{ text: '巡堤', toAffectedTownships: true, departmentIds: [], minutes: 60 }],
  meetingDepartmentIds: ['dp-sw'],
  createdAt: '2026-12-07T08:00:00.000Z',
  createdByName: '值班员',
};

describe('plan draft', () => {
  it('round-trips a stored version, "the incident’s township" as null on the wire', () => {
    const draft = draftOf(stored);
    expect(draft.steps[0]?.unitId).toBe(INCIDENT_TOWNSHIP);
    expect(draft.useWarning).toBe(false);
    const { title, steps, warning, tasks, meetingDepartmentIds } = stored;
    expect(bodyOf(draft)).toEqual({ title, steps, warning, tasks, meetingDepartmentIds });
  });

  it('drops a desk step’s stale unit and keeps a named township', () => {
    const draft = draftOf(undefined);
    draft.steps = [
      { text: 'a', unitKind: 'desk', unitId: 'zixi', minutes: 5 },
      { text: 'b', unitKind: 'township', unitId: 'zixi', minutes: 5 },
    ];
    expect(bodyOf(draft).steps?.map((s) => s.unitId)).toEqual([null, 'zixi']);
    expect(bodyOf(draft).warning).toMatchObject({ colour: 'orange', radiusKm: 10 });
  });
});

describe('checklist red state', () => {
  const item = (over: Partial<ChecklistItemView>): ChecklistItemView => ({
    id: 'c1',
    responseId: 'r1',
    incidentId: 'i1',
    incidentTitle: '洪水',
    position: 0,
    text: '转移群众',
    unitKind: 'township',
    unitId: 'zixi',
    unitName: '紫溪镇',
    dueAt: '2026-12-07T08:30:00.000Z',
    doneAt: null,
    doneByName: null,
    overdue: false,
    superseded: false,
    ...over,
  });
  const at = (iso: string) => Date.parse(iso);

  it('turns red past due or when the server flagged it, never once done or superseded', () => {
    expect(isLate(item({}), at('2026-12-07T08:29:00.000Z'))).toBe(false);
    expect(isLate(item({}), at('2026-12-07T08:31:00.000Z'))).toBe(true);
    expect(isLate(item({ overdue: true }), at('2026-12-07T08:00:00.000Z'))).toBe(true);
    expect(isLate(item({ doneAt: '2026-12-07T08:40:00.000Z' }), at('2026-12-07T09:00:00.000Z'))).toBe(false);
    expect(isLate(item({ superseded: true }), at('2026-12-07T09:00:00.000Z'))).toBe(false);
  });
});
