/**
 * Duty's REST calls (`/api/v1/duty/...`, shapes from protocol/duty.ts) with
 * the session's token. The XLSX import posts the file's bytes, which the JSON
 * helper in api.ts cannot send, and a refusal carries its row errors.
 */
import type {
  DutyCallView,
  DutyLogCategory,
  DutyLogEntry,
  DutyNowView,
  DutyPerson,
  HandoverView,
  RosterEntryView,
  RosterImportResult,
  RosterImportRowError,
  RosterMonthView,
} from '@beacon/protocol';
import { api } from '../api.ts';
import { type ClientErrorCode, ConsoleError } from '../errors.ts';
import { session } from '../session.ts';

const get = <T>(path: string): Promise<T> => api<T>(path, { token: session.token });
const send = <T>(method: 'POST' | 'PUT', path: string, body: unknown = {}): Promise<T> =>
  api<T>(path, { method, body, token: session.token });
const part = encodeURIComponent;

/** A refused XLSX import: the server's code and message, and every bad row. */
export class RosterImportRefused extends ConsoleError {
  readonly rowErrors: RosterImportRowError[];
  constructor(code: ClientErrorCode, message: string, rowErrors: RosterImportRowError[], status: number) {
    super(code, message, { status });
    this.rowErrors = rowErrors;
  }
}

export const dutyApi = {
  now: () => get<DutyNowView>('/duty/now'),
  people: () => get<DutyPerson[]>('/duty/people'),
  roster: (month: string) => get<RosterMonthView>(`/duty/roster?month=${part(month)}`),
  setSlot: (day: string, shift: string, body: { leaderId: string | null; officerIds: string[] }) =>
    send<{ entry: RosterEntryView | null }>('PUT', `/duty/roster/${part(day)}/${part(shift)}`, body),
  /** Calls to the duty number ringing for me now (the cards after a reload). */
  calls: () => get<DutyCallView[]>('/duty/calls'),
  log: (limit = 100) => get<DutyLogEntry[]>(`/duty/log?limit=${limit}`),
  writeLog: (body: { category: DutyLogCategory; text: string }) => send<DutyLogEntry>('POST', '/duty/log', body),
  handovers: (limit = 20) => get<HandoverView[]>(`/duty/handovers?limit=${limit}`),
  openHandover: async () => (await get<{ handover: HandoverView | null }>('/duty/handovers/open')).handover,
  handover: (id: string) => get<HandoverView>(`/duty/handovers/${part(id)}`),
  startHandover: () => send<HandoverView>('POST', '/duty/handovers'),
  handOver: (id: string, notes: string) =>
    send<HandoverView>('POST', `/duty/handovers/${part(id)}/hand-over`, { notes }),
  accept: (id: string, note: string) => send<HandoverView>('POST', `/duty/handovers/${part(id)}/accept`, { note }),

  async importMonth(month: string, file: Blob, dryRun: boolean): Promise<RosterImportResult> {
    const path = `/duty/roster/import?month=${part(month)}&dryRun=${dryRun}`;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
    if (session.token) headers.authorization = `Bearer ${session.token}`;
    let response: Response;
    try {
      response = await fetch(`/api/v1${path}`, { method: 'POST', headers, body: file });
    } catch (cause) {
      throw new ConsoleError('network', `POST ${path}: ${String(cause)}`, { cause });
    }
    const body = (await response.json().catch(() => null)) as
      | RosterImportResult
      | { error?: { code?: ClientErrorCode; message?: string }; rowErrors?: RosterImportRowError[] }
      | null;
    if (response.ok && body) return body as RosterImportResult;
    const refusal = body && 'error' in body ? body : undefined;
    throw new RosterImportRefused(
      refusal?.error?.code ?? 'internal',
      refusal?.error?.message ?? `POST ${path}: HTTP ${response.status}`,
      refusal?.rowErrors ?? [],
      response.status,
    );
  },
};
