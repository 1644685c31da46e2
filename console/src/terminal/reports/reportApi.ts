/**
 * REST calls of information reporting, shared by the unit's page and the duty
 * desk's inbox. Photos go up one by one as raw bodies (the server checks
 * their content) before the report that names them.
 */
import type { NewReportInput, ReportChainView, ReportEntryInput, ReportPhotoView } from '@beacon/protocol';
import { api, errorFromResponse } from '../../api.ts';
import { ConsoleError } from '../../errors.ts';
import { session } from '../../session.ts';

const token = () => session.token;

export async function uploadPhoto(file: Blob): Promise<ReportPhotoView> {
  let response: Response;
  try {
    response = await fetch('/api/v1/reports/photos', {
      method: 'POST',
      headers: {
        'content-type': file.type || 'application/octet-stream',
        ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
      },
      body: file,
    });
  } catch (cause) {
    throw new ConsoleError('network', `POST /reports/photos: ${String(cause)}`, { cause });
  }
  if (!response.ok) throw await errorFromResponse(response, 'POST /reports/photos');
  return (await response.json()) as ReportPhotoView;
}

export const reportApi = {
  list: () => api<ReportChainView[]>('/reports?limit=500', { token: token() }),
  create: (body: NewReportInput) => api<ReportChainView>('/reports', { method: 'POST', body, token: token() }),
  addEntry: (id: string, body: Partial<ReportEntryInput>) =>
    api<ReportChainView>(`/reports/${id}/entries`, { method: 'POST', body, token: token() }),
  verify: (id: string) => api<ReportChainView>(`/reports/${id}/verify`, { method: 'POST', body: {}, token: token() }),
  ask: (id: string, text: string) =>
    api<ReportChainView>(`/reports/${id}/questions`, { method: 'POST', body: { text }, token: token() }),
  answer: (id: string, questionId: string, text: string) =>
    api<ReportChainView>(`/reports/${id}/questions/${questionId}/answer`, {
      method: 'POST',
      body: { text },
      token: token(),
    }),
  toIncident: (id: string, body: { incidentId?: string }) =>
    api<ReportChainView>(`/reports/${id}/incident`, { method: 'POST', body, token: token() }),
  /** Merges duplicate chain `id` into the main chain `into`. */
  merge: (id: string, into: string) =>
    api<ReportChainView>(`/reports/${id}/merge`, { method: 'POST', body: { into }, token: token() }),
  unmerge: (id: string) => api<ReportChainView>(`/reports/${id}/unmerge`, { method: 'POST', body: {}, token: token() }),
  /** Where a report of this account lies unless it says: the township's seat, or the area's centre. */
  defaultLocation: () => api<{ location: [number, number] | null }>('/reports/default-location', { token: token() }),
};

export const photoPath = (id: string, thumb: boolean): string =>
  `/api/v1/reports/photos/${id}${thumb ? '?size=thumb' : ''}`;

/** Chains by id, newest first. An older version than the one held is ignored (pushes may arrive out of order). */
export function upsertChain(list: ReportChainView[], chain: ReportChainView): void {
  const at = list.findIndex((c) => c.id === chain.id);
  const held = list[at];
  if (held && held.updatedAt > chain.updatedAt) return;
  if (at >= 0) list.splice(at, 1, chain);
  else list.unshift(chain);
}
