/** The repository of emergency plans (应急预案): versions, the responses started on incidents, their checklists. */
import type {
  ChecklistItemView,
  IncidentResponseView,
  IncidentType,
  PlanInput,
  PlanUnitKind,
  PlanView,
  ResponseLevel,
} from '@beacon/protocol';

export interface NewPlanVersion {
  id: string;
  type: IncidentType;
  level: ResponseLevel;
  content: PlanInput;
  createdAt: string;
  createdBy: string;
  createdByName: string;
}

export interface NewChecklistItem {
  id: string;
  position: number;
  text: string;
  unitKind: PlanUnitKind;
  unitId: string | null;
  dueAt: string;
}

export interface NewResponse {
  id: string;
  incidentId: string;
  planId: string;
  level: ResponseLevel;
  startedAt: string;
  startedBy: string;
  startedByName: string;
}

/** A unit whose checklist items to read: the desk (id null), a township or a department. */
export interface ChecklistUnit {
  kind: PlanUnitKind;
  id: string | null;
}

export interface PlanRepository {
  /** Stores the next version (the highest of its type and level + 1); two saves at once never share a number. */
  saveVersion(plan: NewPlanVersion): Promise<PlanView>;
  get(id: string): Promise<PlanView | undefined>;
  /** The newest version of the type and level. */
  current(type: IncidentType, level: ResponseLevel): Promise<PlanView | undefined>;
  /** Every version of the type and level, newest first. */
  versions(type: IncidentType, level: ResponseLevel): Promise<PlanView[]>;
  /** The newest version of every type and level that has one. */
  listCurrent(): Promise<PlanView[]>;
  /**
   * In one transaction: ends the incident's running response (if any) at `response.startedAt`, stores the new one
   * with its checklist and sets the incident's level. `invalid_state` when another start won the race.
   */
  startResponse(response: NewResponse, items: NewChecklistItem[]): Promise<IncidentResponseView>;
  /** The incident's responses, oldest first. */
  responses(incidentId: string): Promise<IncidentResponseView[]>;
  /** False when the response's tasks were already sent (or it is no longer running). */
  markTasksSent(responseId: string, at: string): Promise<boolean>;
  item(id: string): Promise<ChecklistItemView | undefined>;
  /** Ticks an open item of a running response; undefined when it was done already or superseded. */
  tick(id: string, by: { userId: string; name: string }, at: string): Promise<ChecklistItemView | undefined>;
  /** Items of running responses for the unit (all units when absent), done and open, open ones first by due time. */
  runningItems(unit?: ChecklistUnit): Promise<ChecklistItemView[]>;
  /**
   * Flags every open item of a running response due at or before `now` overdue, in one statement, and returns
   * those this call flagged (with several nodes ticking, each item is flagged, and so pushed, by one of them).
   */
  flagOverdue(now: string): Promise<ChecklistItemView[]>;
}
