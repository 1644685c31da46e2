/**
 * Emergency plans (应急预案) and the responses they guide (启动响应).
 *
 * A plan is kept per incident type and response level, as numbered versions:
 * saving makes a new version and an incident keeps the version its response
 * started with. Starting a response on an incident turns the plan into a
 * checklist (who must do what by when), a prefilled warning, a preview of the
 * tasks to send and the departments to invite to the emergency meeting.
 */
import { z } from 'zod';
import type { LatLon, WarningArea } from './command.ts';
import {
  INCIDENT_TYPES,
  type IncidentType,
  RESPONSE_LEVELS,
  type ResponseLevel,
  WARNING_COLOURS,
} from './vocabulary.ts';

const id = z.string().min(1).max(128);
/** A time limit from the start of the response: at least a minute, at most a week. */
const minutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);

/** Who a checklist step is for: the city's duty desk (值班室), a township or a department. */
export const PLAN_UNIT_KINDS = ['desk', 'township', 'department'] as const;
export type PlanUnitKind = (typeof PLAN_UNIT_KINDS)[number];

export const planStepSchema = z.strictObject({
  text: z.string().trim().min(1).max(500),
  unitKind: z.enum(PLAN_UNIT_KINDS),
  /** department: its id (required); township: a named one, or null for the incident's township (事发乡镇); desk: null. */
  unitId: id.nullable().default(null),
  /** Due this many minutes after the response starts. */
  minutes,
});
export type PlanStep = z.output<typeof planStepSchema>;

/** What the warning form is prefilled with; the area is a circle of `radiusKm` around the incident. */
export const planWarningTemplateSchema = z.strictObject({
  event: z.string().trim().min(1).max(200),
  colour: z.enum(WARNING_COLOURS),
  headline: z.string().trim().min(1).max(300),
  instruction: z.string().max(5000).default(''),
  radiusKm: z.number().positive().max(200).default(10),
});
export type PlanWarningTemplate = z.output<typeof planWarningTemplateSchema>;

export const planTaskTemplateSchema = z.strictObject({
  text: z.string().trim().min(1).max(2000),
  /** Send it to each affected township (the incident's, and those its issued warnings reach). */
  toAffectedTownships: z.boolean().default(true),
  /** And to these departments. */
  departmentIds: z.array(id).max(100).default([]),
  /** Deadline this many minutes after sending. */
  minutes,
});
export type PlanTaskTemplate = z.output<typeof planTaskTemplateSchema>;

/** PUT /plans/:type/:level: the next version of the plan. */
export const planInputSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    steps: z.array(planStepSchema).min(1).max(100),
    warning: planWarningTemplateSchema.nullable().default(null),
    tasks: z.array(planTaskTemplateSchema).max(20).default([]),
    /** Departments the one-click emergency meeting (会商) invites. */
    meetingDepartmentIds: z.array(id).max(100).default([]),
  })
  .superRefine((plan, ctx) => {
    plan.steps.forEach((step, index) => {
      if (step.unitKind === 'department' && step.unitId === null) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'unitId'],
          message: '请选择负责部门 / name the department',
        });
      }
      if (step.unitKind === 'desk' && step.unitId !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'unitId'],
          message: '值班室不带单位 / the desk has no id',
        });
      }
    });
    plan.tasks.forEach((task, index) => {
      if (!task.toAffectedTownships && task.departmentIds.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['tasks', index], message: '任务须有对象 / a task needs addressees' });
      }
    });
  });
export type PlanInput = z.output<typeof planInputSchema>;
export type PlanInputDraft = z.input<typeof planInputSchema>;

export const planKeySchema = z.strictObject({ type: z.enum(INCIDENT_TYPES), level: z.enum(RESPONSE_LEVELS) });

/** One stored version of a plan; never changed once saved. */
export interface PlanView extends PlanInput {
  id: string;
  type: IncidentType;
  level: ResponseLevel;
  /** 1, 2, … per type and level. */
  version: number;
  createdAt: string;
  createdByName: string;
}

/** POST /incidents/:id/response: start the response at a level, or switch to another level. */
export const startResponseSchema = z.strictObject({ level: z.enum(RESPONSE_LEVELS) });
/** POST /incidents/:id/response/tasks: the previewed tasks, with the townships the officer kept. */
export const sendPlanTasksSchema = z.strictObject({ townshipIds: z.array(id).max(100).optional() });

export interface ChecklistItemView {
  id: string;
  responseId: string;
  incidentId: string;
  incidentTitle: string;
  position: number;
  text: string;
  unitKind: PlanUnitKind;
  /** Null for the desk. */
  unitId: string | null;
  unitName: string;
  dueAt: string;
  doneAt: string | null;
  doneByName: string | null;
  /** Not done and past due (the server's watch flags it and pushes the change). */
  overdue: boolean;
  /** Its response was switched to another level: kept as history, no longer ticked. */
  superseded: boolean;
}

export interface PlanTaskPreview {
  text: string;
  minutes: number;
  /** Goes to the affected townships (the officer may change which before sending). */
  toAffectedTownships: boolean;
  townshipIds: string[];
  departmentIds: string[];
}

export interface PlanWarningPrefill {
  event: string;
  colour: (typeof WARNING_COLOURS)[number];
  headline: string;
  instruction: string;
  area: Extract<WarningArea, { type: 'circle' }>;
  incidentId: string;
}

export interface IncidentResponseView {
  id: string;
  incidentId: string;
  level: ResponseLevel;
  planId: string;
  planTitle: string;
  planVersion: number;
  startedAt: string;
  startedByName: string;
  /** Set when the level changed (the next response took over). */
  endedAt: string | null;
  tasksSentAt: string | null;
  checklist: ChecklistItemView[];
}

/** GET /incidents/:id/response: the running response with what it prepares, and the earlier ones. */
export interface ResponseStateView {
  current: IncidentResponseView | null;
  history: IncidentResponseView[];
  /** Of the current response: the warning form's prefill, the task preview and the meeting invitees. */
  warning: PlanWarningPrefill | null;
  tasks: PlanTaskPreview[];
  affectedTownshipIds: string[];
  meetingDepartmentIds: string[];
  location: LatLon;
}

/** To staff, and to the unit a checklist item is for (`township:<id>` / `department:<id>`). */
export interface PlanServerEvents {
  'checklist:updated': (item: ChecklistItemView) => void;
  /** To staff: an incident's response started, switched level, or sent its tasks. */
  'response:updated': (change: { incidentId: string }) => void;
}
