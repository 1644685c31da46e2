/**
 * What a plan becomes on one incident: its checklist (who must do what by
 * when), the warning form's prefill and the task preview. Pure functions of
 * the plan, the incident and the clock, so they are tested without a server.
 */
import { randomUUID } from 'node:crypto';
import type { IncidentView, PlanTaskPreview, PlanView, PlanWarningPrefill } from '@beacon/protocol';
import type { NewChecklistItem } from '../store/planTypes.ts';

const MINUTE_MS = 60_000;

/** Units a step may be for at the moment the response starts (enabled ones). */
export interface EnabledUnits {
  townships: ReadonlySet<string>;
  departments: ReadonlySet<string>;
}

/**
 * One item per step, due `minutes` after `startedAt`. A step for "the
 * incident's township" goes to the incident's township; a step whose unit is
 * missing (no township on the incident) or was disabled since the plan was
 * saved falls to the duty desk, so nothing of the plan is silently dropped.
 */
export function checklistFor(
  plan: Pick<PlanView, 'steps'>,
  incident: Pick<IncidentView, 'townshipId'>,
  startedAt: string,
  enabled: EnabledUnits,
): NewChecklistItem[] {
  const start = Date.parse(startedAt);
  return plan.steps.map((step, position) => {
    const dueAt = new Date(start + step.minutes * MINUTE_MS).toISOString();
    const base = { id: randomUUID(), position, text: step.text, dueAt };
    if (step.unitKind === 'township') {
      const townshipId = step.unitId ?? incident.townshipId;
      if (townshipId !== null && enabled.townships.has(townshipId)) {
        return { ...base, unitKind: 'township', unitId: townshipId };
      }
    } else if (step.unitKind === 'department' && step.unitId !== null && enabled.departments.has(step.unitId)) {
      return { ...base, unitKind: 'department', unitId: step.unitId };
    }
    return { ...base, unitKind: 'desk', unitId: null };
  });
}

/** The plan's warning template over a circle around the incident. */
export function warningPrefill(
  plan: Pick<PlanView, 'warning'>,
  incident: Pick<IncidentView, 'id' | 'location'>,
): PlanWarningPrefill | null {
  if (!plan.warning) return null;
  const { event, colour, headline, instruction, radiusKm } = plan.warning;
  return {
    event,
    colour,
    headline,
    instruction,
    area: { type: 'circle', center: incident.location, radiusKm },
    incidentId: incident.id,
  };
}

/** The plan's task templates addressed: affected townships where a template says so, and its departments. */
export function taskPreview(plan: Pick<PlanView, 'tasks'>, affectedTownshipIds: readonly string[]): PlanTaskPreview[] {
  return plan.tasks.map((task) => ({
    text: task.text,
    minutes: task.minutes,
    toAffectedTownships: task.toAffectedTownships,
    townshipIds: task.toAffectedTownships ? [...affectedTownshipIds] : [],
    departmentIds: [...task.departmentIds],
  }));
}

/** Every department a plan names (steps, tasks, meeting): each must be enabled when the plan is saved. */
export function departmentsNamed(plan: Pick<PlanView, 'steps' | 'tasks' | 'meetingDepartmentIds'>): string[] {
  const ids = [
    ...plan.steps.flatMap((s) => (s.unitKind === 'department' && s.unitId !== null ? [s.unitId] : [])),
    ...plan.tasks.flatMap((t) => t.departmentIds),
    ...plan.meetingDepartmentIds,
  ];
  return [...new Set(ids)];
}

/** The townships a plan's steps name (the incident's own township is not named). */
export function townshipsNamed(plan: Pick<PlanView, 'steps'>): string[] {
  return [...new Set(plan.steps.flatMap((s) => (s.unitKind === 'township' && s.unitId !== null ? [s.unitId] : [])))];
}
