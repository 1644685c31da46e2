/**
 * The plan editor's working copy: a stored version (or an empty plan) as
 * fields the form edits, and back to the body of PUT /plans/:type/:level.
 * In the form a township step's unit INCIDENT_TOWNSHIP stands for "the
 * incident's township" (null on the wire): a select shows neither null nor ''
 * as a chosen option.
 */
import type { PlanInputDraft, PlanUnitKind, PlanView, WarningColour } from '@beacon/protocol';

export interface StepDraft {
  text: string;
  unitKind: PlanUnitKind;
  unitId: string;
  minutes: number;
}

export interface TaskTemplateDraft {
  text: string;
  toAffectedTownships: boolean;
  departmentIds: string[];
  minutes: number;
}

export interface PlanDraft {
  title: string;
  steps: StepDraft[];
  useWarning: boolean;
  warning: { event: string; colour: WarningColour; headline: string; instruction: string; radiusKm: number };
  tasks: TaskTemplateDraft[];
  meetingDepartmentIds: string[];
}

export const INCIDENT_TOWNSHIP = '@incident';

export const newStep = (): StepDraft => ({ text: '', unitKind: 'desk', unitId: '', minutes: 30 });
export const newTask = (): TaskTemplateDraft => ({
  text: '',
  toAffectedTownships: true,
  departmentIds: [],
  minutes: 60,
});

export function draftOf(plan: PlanView | undefined): PlanDraft {
  return {
    title: plan?.title ?? '',
    steps: plan
      ? plan.steps.map((s) => ({ ...s, unitId: s.unitId ?? (s.unitKind === 'township' ? INCIDENT_TOWNSHIP : '') }))
      : [newStep()],
    useWarning: plan ? plan.warning !== null : true,
    warning: plan?.warning
      ? { ...plan.warning }
      : { event: '', colour: 'orange', headline: '', instruction: '', radiusKm: 10 },
    tasks: plan ? plan.tasks.map((t) => ({ ...t, departmentIds: [...t.departmentIds] })) : [],
    meetingDepartmentIds: [...(plan?.meetingDepartmentIds ?? [])],
  };
}

export function bodyOf(draft: PlanDraft): PlanInputDraft {
  return {
    title: draft.title,
    steps: draft.steps.map((s) => ({
      text: s.text,
      unitKind: s.unitKind,
      unitId: s.unitKind === 'desk' || s.unitId === '' || s.unitId === INCIDENT_TOWNSHIP ? null : s.unitId,
      minutes: Number(s.minutes),
    })),
    warning: draft.useWarning ? { ...draft.warning, radiusKm: Number(draft.warning.radiusKm) } : null,
    tasks: draft.tasks.map((t) => ({ ...t, minutes: Number(t.minutes) })),
    meetingDepartmentIds: draft.meetingDepartmentIds,
  };
}
