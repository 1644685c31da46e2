/**
 * REST calls of emergency plans (应急预案) and responses: the plan editor, the
 * incident's response panel (command room) and a unit's checklist (terminal).
 */
import type {
  ChecklistItemView,
  IncidentType,
  PlanInputDraft,
  PlanView,
  ResponseLevel,
  ResponseStateView,
  TaskView,
} from '@beacon/protocol';
import { api } from '../api.ts';
import { session } from '../session.ts';

const opts = (method: 'GET' | 'POST' | 'PUT' = 'GET', body?: unknown) => ({
  method,
  token: session.token,
  ...(body === undefined ? {} : { body }),
});
const incident = (id: string) => `/incidents/${encodeURIComponent(id)}/response`;

export const plansApi = {
  list: () => api<PlanView[]>('/plans', opts()),
  versions: (type: IncidentType, level: ResponseLevel) => api<PlanView[]>(`/plans/${type}/${level}`, opts()),
  save: (type: IncidentType, level: ResponseLevel, plan: PlanInputDraft) =>
    api<PlanView>(`/plans/${type}/${level}`, opts('PUT', plan)),
  response: (incidentId: string) => api<ResponseStateView>(incident(incidentId), opts()),
  start: (incidentId: string, level: ResponseLevel) =>
    api<ResponseStateView>(incident(incidentId), opts('POST', { level })),
  sendTasks: (incidentId: string, townshipIds: string[]) =>
    api<TaskView[]>(`${incident(incidentId)}/tasks`, opts('POST', { townshipIds })),
  checklist: () => api<ChecklistItemView[]>('/checklist', opts()),
  tick: (itemId: string) => api<ChecklistItemView>(`/checklist/${encodeURIComponent(itemId)}/done`, opts('POST', {})),
};

/** Replaces the item wherever it is listed (a response's checklist or a unit's list); false when it is not. */
export function replaceItem(list: ChecklistItemView[], item: ChecklistItemView): boolean {
  const index = list.findIndex((i) => i.id === item.id);
  if (index < 0) return false;
  list.splice(index, 1, item);
  return true;
}

/** Still to do and past due: the server's flag, or the clock since it answered. */
export function isLate(item: ChecklistItemView, now: number): boolean {
  return !item.doneAt && !item.superseded && (item.overdue || Date.parse(item.dueAt) <= now);
}
