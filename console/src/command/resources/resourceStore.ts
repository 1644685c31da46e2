/**
 * Emergency resources in the command room: the enabled teams, depots,
 * shelters and experts (GET /api/v1/resources), which map layers are on, and
 * the calls for the nearest to an incident and for dispatching a team. A
 * team's status follows what the server pushes (`team:updated`: dispatched by
 * any officer, back when its task is done).
 */
import type { NearestResourcesView, ResourcesView, TeamDispatchResult, TeamStatus, TeamView } from '@beacon/protocol';
import { reactive } from 'vue';
import { api } from '../../api.ts';
import { session } from '../../session.ts';
import type { SignalingClient } from '../../signaling/SignalingClient.ts';

export const RESOURCE_LAYERS = ['teams', 'depots', 'shelters'] as const;
export type ResourceLayer = (typeof RESOURCE_LAYERS)[number];

export const resources = reactive<ResourcesView & { layers: Record<ResourceLayer, boolean> }>({
  teams: [],
  depots: [],
  shelters: [],
  experts: [],
  layers: { teams: true, depots: true, shelters: true },
});

const get = <T>(path: string): Promise<T> => api<T>(path, { token: session.token });
const post = <T>(path: string, body: unknown = {}): Promise<T> =>
  api<T>(path, { method: 'POST', body, token: session.token });

export const resourceApi = {
  list: () => get<ResourcesView>('/resources'),
  nearest: (incidentId: string, limit = 5) =>
    get<NearestResourcesView>(`/incidents/${encodeURIComponent(incidentId)}/nearest?limit=${limit}`),
  dispatch: (teamId: string, incidentId: string) =>
    post<TeamDispatchResult>(`/teams/${encodeURIComponent(teamId)}/dispatch`, { incidentId }),
  setStatus: (teamId: string, status: TeamStatus) =>
    post<TeamView>(`/teams/${encodeURIComponent(teamId)}/status`, { status }),
};

export async function loadResources(): Promise<void> {
  const found = await resourceApi.list();
  Object.assign(resources, found);
}

/** A team changed (dispatched, back, ready again): the map's and the lists' copy follows. */
export function teamChanged(team: TeamView): void {
  const index = resources.teams.findIndex((t) => t.id === team.id);
  if (index >= 0) resources.teams[index] = team;
  else if (team.enabled) resources.teams.push(team);
}

export function listenResources(socket: SignalingClient['socket']): void {
  socket.on('team:updated', teamChanged);
}
