/** A plan turned into one incident's checklist and previews, without a server. */
import { planInputSchema } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { checklistFor, departmentsNamed, taskPreview } from './planInstantiation.ts';

const plan = planInputSchema.parse({
  title: '地质灾害 III 级',
  steps: [
    { text: '事发乡镇转移群众', unitKind: 'township', minutes: 30 },
    { text: '东华镇支援', unitKind: 'township', unitId: 'donghua', minutes: 45 },
    { text: '自然资源局专家到场', unitKind: 'department', unitId: 'dp-zrzy', minutes: 90 },
  ],
  tasks: [{ text: '排查隐患点', departmentIds: ['dp-zrzy'], minutes: 120 }],
  meetingDepartmentIds: ['dp-yjj'],
});
const enabled = { townships: new Set(['zixi', 'donghua']), departments: new Set(['dp-zrzy', 'dp-yjj']) };

describe('plan instantiation', () => {
  it('gives "the incident’s township" to the incident’s and dates each step from the start', () => {
    const items = checklistFor(plan, { townshipId: 'zixi' }, '2026-12-07T08:00:00.000Z', enabled);
    expect(items.map((i) => [i.unitKind, i.unitId, i.dueAt])).toEqual([
      ['township', 'zixi', '2026-12-07T08:30:00.000Z'],
      ['township', 'donghua', '2026-12-07T08:45:00.000Z'],
      ['department', 'dp-zrzy', '2026-12-07T09:30:00.000Z'],
    ]);
  });

  it('hands a step to the duty desk when its unit is missing or was disabled since the plan was saved', () => {
    const items = checklistFor(plan, { townshipId: null }, '2026-12-07T08:00:00.000Z', {
      townships: new Set(['zixi']),
      departments: new Set(),
    });
    expect(items.map((i) => i.unitKind)).toEqual(['desk', 'desk', 'desk']);
  });

  it('addresses task templates and lists every department a plan names', () => {
    expect(taskPreview(plan, ['zixi', 'lucheng'])).toEqual([
      {
        text: '排查隐患点',
        minutes: 120,
        toAffectedTownships: true,
        townshipIds: ['zixi', 'lucheng'],
        departmentIds: ['dp-zrzy'],
      },
    ]);
    expect(departmentsNamed(plan)).toEqual(['dp-zrzy', 'dp-yjj']);
  });

  it('refuses a department step without its department and a task without addressees', () => {
    const bad = planInputSchema.safeParse({
      title: 'x',
      steps: [{ text: 'y', unitKind: 'department', minutes: 5 }],
      tasks: [{ text: 'z', toAffectedTownships: false, minutes: 5 }],
    });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'))).toEqual(['steps.0.unitId', 'tasks.0']);
  });
});
