/** The organisation admin REST API (/api/v1/admin/…) through the console's one request client. */
import type {
  AreaView,
  BoundaryCollection,
  BoundaryFeature,
  BoundaryImportReport,
  CapFeedPollResult,
  CreatedTerminal,
  Page,
} from '@beacon/protocol';
import { api, downloadWithToken, errorFromResponse } from '../api.ts';
import { ConsoleError } from '../errors.ts';
import { session } from '../session.ts';
import { type ListParams, listQuery } from './adminForm.ts';
import type { AdminListKind } from './adminKinds.ts';

/** A row of any kind: the pages read it through the kind's columns. */
export type AdminRow = Record<string, unknown> & { id: string; enabled: boolean };

const token = () => session.token;

export function listRows(kind: AdminListKind, params: ListParams): Promise<Page<AdminRow>> {
  return api<Page<AdminRow>>(`/admin/${kind}${listQuery(params)}`, { token: token() });
}

/** Every row (page by page, at the server's largest page), e.g. for a picker or a name lookup. */
export async function listAll(kind: AdminListKind, enabled: ListParams['enabled']): Promise<AdminRow[]> {
  const rows: AdminRow[] = [];
  for (let page = 1; ; page++) {
    const found = await listRows(kind, { q: '', page, pageSize: 200, enabled });
    rows.push(...found.items);
    if (found.items.length === 0 || rows.length >= found.total) return rows;
  }
}

export function createRow(kind: AdminListKind, body: Record<string, unknown>): Promise<AdminRow | CreatedTerminal> {
  return api(`/admin/${kind}`, { method: 'POST', body, token: token() });
}

export function updateRow(kind: AdminListKind, id: string, body: Record<string, unknown>): Promise<AdminRow> {
  return api(`/admin/${kind}/${encodeURIComponent(id)}`, { method: 'PATCH', body, token: token() });
}

export function setEnabled(kind: AdminListKind, id: string, enabled: boolean): Promise<AdminRow> {
  const action = enabled ? 'enable' : 'disable';
  return api(`/admin/${kind}/${encodeURIComponent(id)}/${action}`, { method: 'POST', token: token() });
}

/** A new random SIP password for a desk phone; the answer is the only time it is shown. */
export function rotateSipPassword(id: string): Promise<NonNullable<CreatedTerminal['sip']>> {
  return api(`/terminals/${encodeURIComponent(id)}/sip-credentials`, { method: 'POST', token: token() });
}

/** The deployment's area; null before one is set (404). */
export async function getArea(): Promise<AreaView | null> {
  try {
    return await api<AreaView>('/admin/area', { token: token() });
  } catch (error) {
    if ((error as { code?: string }).code === 'not_found') return null;
    throw error;
  }
}

export function putArea(body: Record<string, unknown>): Promise<AreaView> {
  return api<AreaView>('/admin/area', { method: 'PUT', body, token: token() });
}

/**
 * A boundary file (GeoJSON text, sent as is: the server reads and checks it, so "not JSON" is its
 * coded answer too). `dryRun`: the report only, nothing written.
 */
export async function putBoundaries(text: string, dryRun: boolean): Promise<BoundaryImportReport> {
  const path = `/admin/boundaries${dryRun ? '?dryRun=true' : ''}`;
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/geo+json' };
  const current = token();
  if (current) headers.authorization = `Bearer ${current}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method: 'PUT', headers, body: text });
  } catch (cause) {
    throw new ConsoleError('network', `PUT ${path}: ${String(cause)}`, { cause });
  }
  if (!response.ok) throw await errorFromResponse(response, `PUT ${path}`);
  return (await response.json()) as BoundaryImportReport;
}

/** The townships that have an imported boundary now (without the geometry). */
export async function storedBoundaries(): Promise<BoundaryFeature['properties'][]> {
  return (await api<BoundaryCollection>('/boundaries', { token: token() })).features.map((f) => f.properties);
}

export function removeBoundary(townshipId: string): Promise<void> {
  return api(`/admin/boundaries/${encodeURIComponent(townshipId)}`, { method: 'DELETE', token: token() });
}

export const exportBoundaries = (): Promise<void> =>
  downloadWithToken('/admin/boundaries', 'boundaries.geojson', token());

/** Fetches a CAP feed now and answers what the fetch did (a rejected feed is an answer: `ok: false`). */
export function pollCapFeed(id: string): Promise<CapFeedPollResult> {
  return api(`/admin/capFeeds/${encodeURIComponent(id)}/poll`, { method: 'POST', token: token() });
}
