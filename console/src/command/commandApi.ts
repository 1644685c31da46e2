/**
 * The command room's REST calls (`/api/v1/...`, shapes from
 * protocol/command.ts), with the session's token. CAP import posts raw XML,
 * which the JSON helper in api.ts cannot send.
 */
import type {
  AckBoardRow,
  BoundaryCollection,
  CapRecorded,
  CreateIncidentRequest,
  CreateWarningRequest,
  DepartmentView,
  IncidentStatus,
  IncidentView,
  LoudspeakerCallView,
  SmsRecipientView,
  TaskView,
  TerminalPresence,
  TerminalView,
  TimelineEntry,
  TownshipView,
  UpdateWarningRequest,
  WarningArea,
  WarningPreview,
  WarningView,
} from '@beacon/protocol';
import { api, downloadWithToken } from '../api.ts';
import { type ClientErrorCode, ConsoleError } from '../errors.ts';
import { session } from '../session.ts';

/**
 * What the draft form sends: the protocol's request type (type-only import: the
 * zod schema itself stays out of the console bundle). `effective` defaults to now.
 */
export type WarningDraft = Omit<CreateWarningRequest, 'effective'>;

export interface TaskDraft {
  townshipIds: string[];
  departmentIds: string[];
  text: string;
  deadline: string;
  incidentId: string | null;
}

export interface IncidentFilter {
  status?: IncidentStatus | '';
  type?: IncidentView['type'] | '';
  level?: IncidentView['level'] | '';
}

export interface IncidentDetail {
  incident: IncidentView;
  timeline: TimelineEntry[];
}

/** The store's audit rows as the admin route returns them. */
export interface AuditRow {
  id: number;
  at: string;
  actorId: string | null;
  action: string;
  target: string | null;
  detail: unknown;
}

const get = <T>(path: string): Promise<T> => api<T>(path, { token: session.token });
const post = <T>(path: string, body: unknown = {}): Promise<T> =>
  api<T>(path, { method: 'POST', body, token: session.token });

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const commandApi = {
  townships: () => get<TownshipView[]>('/townships'),
  /** Enabled departments: the pickers of warnings, tasks, incidents and meetings. */
  departments: () => get<DepartmentView[]>('/departments'),
  terminals: () => get<TerminalView[]>('/terminals'),
  presence: () => get<TerminalPresence[]>('/presence'),

  incidents: (filter: IncidentFilter = {}) =>
    get<IncidentView[]>(`/incidents${query({ status: filter.status, type: filter.type, level: filter.level })}`),
  createIncident: (body: CreateIncidentRequest) => post<IncidentView>('/incidents', body),
  async incident(id: string): Promise<IncidentDetail> {
    // Accept `{ incident, timeline }` and `IncidentView & { timeline }` alike.
    const body = await get<(IncidentView & { timeline?: TimelineEntry[] }) | IncidentDetail>(
      `/incidents/${encodeURIComponent(id)}`,
    );
    if ('incident' in body) return { incident: body.incident, timeline: body.timeline ?? [] };
    const { timeline, ...incident } = body;
    return { incident, timeline: timeline ?? [] };
  },
  setIncidentStatus: (id: string, status: IncidentStatus, note?: string) =>
    post<IncidentView>(`/incidents/${encodeURIComponent(id)}/status`, note ? { status, note } : { status }),
  addNote: (id: string, text: string, snapshot?: string) =>
    post<TimelineEntry>(`/incidents/${encodeURIComponent(id)}/notes`, snapshot ? { text, snapshot } : { text }),
  /** `departmentIds`: invited as well (chosen in the dialog); absent: those the incident involves. */
  incidentMeeting: (id: string, departmentIds?: string[]) =>
    post<{ roomId: string }>(`/incidents/${encodeURIComponent(id)}/meeting`, departmentIds ? { departmentIds } : {}),
  setIncidentDepartments: (id: string, departmentIds: string[]) =>
    api<IncidentView>(`/incidents/${encodeURIComponent(id)}/departments`, {
      method: 'PUT',
      body: { departmentIds },
      token: session.token,
    }),
  snapshotUrl: (incidentId: string, entryId: number) =>
    `/api/v1/incidents/${encodeURIComponent(incidentId)}/snapshots/${entryId}`,
  downloadReport: (id: string) =>
    downloadWithToken(`/incidents/${encodeURIComponent(id)}/report`, `incident-${id}.html`, session.token),

  /** Imported township boundaries (GeoJSON, [lon, lat]); an empty collection before any import. */
  boundaries: () => get<BoundaryCollection>('/boundaries'),
  previewWarning: (area: WarningArea) => post<WarningPreview>('/warnings/preview', { area }),
  createWarning: (draft: WarningDraft) => post<WarningView>('/warnings', draft),
  issueWarning: (id: string) => post<WarningView>(`/warnings/${encodeURIComponent(id)}/issue`),
  cancelWarning: (id: string) => post<WarningView>(`/warnings/${encodeURIComponent(id)}/cancel`),
  warnings: () => get<WarningView[]>('/warnings'),
  acks: (id: string) => get<AckBoardRow[]>(`/warnings/${encodeURIComponent(id)}/acks`),
  sms: (id: string) => get<SmsRecipientView[]>(`/warnings/${encodeURIComponent(id)}/sms`),
  loudspeakers: (id: string) => get<LoudspeakerCallView[]>(`/warnings/${encodeURIComponent(id)}/loudspeakers`),
  warningMeeting: (id: string, departmentIds?: string[]) =>
    post<{ roomId: string }>(`/warnings/${encodeURIComponent(id)}/meeting`, departmentIds ? { departmentIds } : {}),
  townshipMeeting: (id: string) => post<{ roomId: string }>(`/townships/${encodeURIComponent(id)}/meeting`),
  downloadCap: (warning: WarningView) =>
    downloadWithToken(`/warnings/${encodeURIComponent(warning.id)}/cap`, `${warning.identifier}.xml`, session.token),
  /**
   * A warning drafted, updated, withdrawn or already held; or, for a message that drafts none
   * (Ack, Error, Test, a Cancel of nothing held), what was recorded.
   */
  importCap: (xml: string) => postXml<WarningView | CapRecorded>('/warnings/import', xml),
  /** Completes a draft: what a CAP alert lacked (end time, area) and Beacon's own choices. */
  updateWarning: (id: string, patch: UpdateWarningRequest) =>
    api<WarningView>(`/warnings/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, token: session.token }),

  tasks: () => get<TaskView[]>('/tasks'),
  createTasks: (draft: TaskDraft) => post<TaskView[]>('/tasks', draft),

  audit: (limit = 200) => get<AuditRow[]>(`/audit?limit=${limit}`),
};

async function postXml<T>(path: string, xml: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/cap+xml' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method: 'POST', headers, body: xml });
  } catch (cause) {
    throw new ConsoleError('network', `POST ${path}: ${String(cause)}`, { cause });
  }
  const body = (await response.json().catch(() => null)) as
    | (T & { error?: undefined })
    | { error?: { code?: ClientErrorCode; message?: string } }
    | null;
  if (response.ok && body) return body as T;
  const error = body && 'error' in body ? body.error : undefined;
  throw new ConsoleError(error?.code ?? 'internal', error?.message ?? `POST ${path}: HTTP ${response.status}`, {
    status: response.status,
  });
}

/** Deployment settings (online tile layer), GET /api/v1/settings. */
export interface ClientSettings {
  map: { tileUrl: string | null; tileAttribution: string | null };
}

export const fetchSettings = (): Promise<ClientSettings> => get<ClientSettings>('/settings');
