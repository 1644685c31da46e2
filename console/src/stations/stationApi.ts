/** The monitoring stations' REST API (/api/v1/stations, /api/v1/admin/stations) through the console's request client. */
import type {
  CreateStationRequest,
  Page,
  StationSeries,
  StationStateView,
  StationView,
  StationWithToken,
  UpdateStationRequest,
} from '@beacon/protocol';
import { api } from '../api.ts';
import { session } from '../session.ts';

export type StationRange = '24h' | '7d';
export type StationChartData = StationSeries & { station: StationView; bucketMs: number };

const token = () => session.token;

export const stationApi = {
  states: () => api<StationStateView[]>('/stations/states', { token: token() }),
  series: (id: string, range: StationRange) =>
    api<StationChartData>(`/stations/${encodeURIComponent(id)}/series?range=${range}`, { token: token() }),
  page: (q: string, page: number, pageSize: number) =>
    api<Page<StationView>>(
      `/admin/stations?${new URLSearchParams({ q, page: String(page), pageSize: String(pageSize) })}`,
      { token: token() },
    ),
  create: (body: CreateStationRequest) =>
    api<StationWithToken>('/admin/stations', { method: 'POST', body, token: token() }),
  update: (id: string, body: UpdateStationRequest) =>
    api<StationView>(`/admin/stations/${encodeURIComponent(id)}`, { method: 'PATCH', body, token: token() }),
  setEnabled: (id: string, enabled: boolean) =>
    api<StationView>(`/admin/stations/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`, {
      method: 'POST',
      token: token(),
    }),
  renewToken: (id: string) =>
    api<StationWithToken>(`/admin/stations/${encodeURIComponent(id)}/token`, { method: 'POST', token: token() }),
};
