/** Derived views of the command store, shared by the panels. */
import type { AckBoardRow, IncidentView, TaskView, TownshipView, WarningView } from '@beacon/protocol';
import { command } from './commandStore.ts';

export type AckState = 'pending' | 'delivered' | 'acknowledged';

export function ackState(row: AckBoardRow | undefined): AckState {
  if (row?.ackedAt) return 'acknowledged';
  return row?.deliveredAt ? 'delivered' : 'pending';
}

export function townshipName(id: string | null, locale: string): string {
  if (!id) return '—';
  const township: TownshipView | undefined = command.townships.find((t) => t.id === id);
  if (!township) return id;
  return locale === 'en' ? township.nameEn : township.name;
}

/** A department's short name (its full name, or its id once gone). */
export function departmentName(id: string | null): string {
  if (!id) return '—';
  const department = command.departments.find((d) => d.id === id);
  return department ? (department.shortName ?? department.name) : id;
}

/** A task's addressee: its township's name or its department's. */
export function addresseeName(t: { townshipId: string | null; departmentId: string | null }, locale: string): string {
  return t.townshipId !== null ? townshipName(t.townshipId, locale) : departmentName(t.departmentId);
}

const newestFirst = (a: { createdAt: string }, b: { createdAt: string }) => b.createdAt.localeCompare(a.createdAt);

export function incidentList(): IncidentView[] {
  return Object.values(command.incidents).sort(newestFirst);
}

export function openIncidentsOf(townshipId: string): IncidentView[] {
  return incidentList().filter((i) => i.townshipId === townshipId && i.status !== 'closed');
}

export function warningList(): WarningView[] {
  return Object.values(command.warnings).sort(newestFirst);
}

/** The township's most recent issued (or cancelled after issue) warning. */
export function lastAlertOf(townshipId: string): WarningView | undefined {
  return warningList()
    .filter((w) => w.issuedAt && w.affectedTownshipIds.includes(townshipId))
    .sort((a, b) => (b.issuedAt ?? '').localeCompare(a.issuedAt ?? ''))[0];
}

export function taskList(): TaskView[] {
  return Object.values(command.tasks).sort(newestFirst);
}

/** A datetime-local input's value ("YYYY-MM-DDTHH:mm", local time) as an ISO instant with offset. */
export function localInputToIso(value: string): string {
  return new Date(value).toISOString();
}

/** Now + minutes as a datetime-local input value. */
export function localInputIn(minutes: number): string {
  const date = new Date(Date.now() + minutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A covered share (0–1) in whole percent for "覆盖 37%"; an overlap under 1 % shows as "<1", never as 0. */
export function sharePercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return '';
  const pct = Math.round(share * 100);
  return pct === 0 && share > 0 ? '<1' : String(pct);
}
