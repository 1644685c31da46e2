/**
 * Response-time figures (总结评估) read from what the store already keeps:
 * report chains linked to the incident, its timeline's status changes, its
 * warnings' ack boards and its tasks. Nothing extra is recorded for them, so
 * an incident handled before this existed has its figures too.
 */
import {
  type IncidentResponseTimes,
  type IncidentView,
  RESPONSE_METRICS,
  type ResponseInterval,
  type ResponseMetric,
  type ResponseSummary,
  type ResponseTimesPeriod,
} from '@beacon/protocol';
import type { Store } from '../store/index.ts';

/** More linked report chains than any real incident has; the figures would still be right for the first ones. */
const MAX_CHAINS = 1000;

type Unit = { kind: 'township' | 'department'; id: string } | null;

/** Minutes between two instants, to 0.1 min; null while the step is open. */
export function minutesBetween(from: string, to: string | null): number | null {
  if (to === null) return null;
  return Math.round((Date.parse(to) - Date.parse(from)) / 6000) / 10;
}

/** The median of the finished steps (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const value =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(value * 10) / 10;
}

export function summarise(intervals: readonly ResponseInterval[]): ResponseSummary[] {
  return RESPONSE_METRICS.map((metric) => {
    const of = intervals.filter((i) => i.metric === metric);
    const done = of.flatMap((i) => (i.minutes === null ? [] : [i.minutes]));
    return {
      metric,
      count: done.length,
      pending: of.length - done.length,
      medianMinutes: median(done),
      maxMinutes: done.length === 0 ? null : Math.max(...done),
    };
  });
}

async function unitNames(store: Store): Promise<(unit: Unit) => string | null> {
  const townships = new Map((await store.townships.list()).map((t) => [t.id, t.name]));
  const departments = new Map((await store.departments.list()).map((d) => [d.id, d.name]));
  return (unit) =>
    unit === null ? null : ((unit.kind === 'township' ? townships : departments).get(unit.id) ?? unit.id);
}

export async function incidentResponseTimes(
  store: Store,
  incident: IncidentView,
  nameOf?: (unit: Unit) => string | null,
): Promise<IncidentResponseTimes> {
  const name = nameOf ?? (await unitNames(store));
  const intervals: ResponseInterval[] = [];
  const add = (
    metric: ResponseMetric,
    unit: Unit,
    from: string,
    to: string | null,
    channel = null as ResponseInterval['channel'],
  ) =>
    intervals.push({
      metric,
      unitKind: unit?.kind ?? null,
      unitId: unit?.id ?? null,
      unitName: name(unit),
      channel,
      from,
      to,
      minutes: minutesBetween(from, to),
    });

  const chains = await store.reports.list({ incidentId: incident.id, limit: MAX_CHAINS });
  for (const chain of [...chains].reverse()) {
    const unit = { kind: chain.unitKind, id: chain.unitId };
    add('occurrence_to_report', unit, chain.occurredAt, chain.createdAt);
    add('report_to_verified', unit, chain.createdAt, chain.verifiedAt);
  }

  const timeline = await store.incidents.timeline(incident.id);
  const statusAt = (to: string) => timeline.find((e) => e.kind === 'status' && e.data?.to === to)?.at ?? null;
  // An incident made from a verified report starts out verified: its creation is the verification.
  const verifiedAt =
    statusAt('verified') ??
    (incident.status !== 'reported' && !timeline.some((e) => e.kind === 'status' && e.data?.from === 'reported')
      ? incident.createdAt
      : null);
  if (verifiedAt) add('verified_to_response', null, verifiedAt, statusAt('responding'));

  for (const warning of await store.warnings.list()) {
    if (warning.incidentId !== incident.id || warning.issuedAt === null) continue;
    for (const row of await store.warnings.board(warning.id)) {
      const unit: Unit = row.townshipId
        ? { kind: 'township', id: row.townshipId }
        : { kind: 'department', id: row.departmentId as string };
      add('warning_to_ack', unit, warning.issuedAt, row.ackedAt, row.channel);
    }
  }

  for (const task of await store.tasks.list({ incidentId: incident.id })) {
    const unit: Unit = task.townshipId
      ? { kind: 'township', id: task.townshipId }
      : { kind: 'department', id: task.departmentId as string };
    add('task_to_ack', unit, task.createdAt, task.ackedAt);
    if (task.ackedAt) add('ack_to_done', unit, task.ackedAt, task.doneAt);
  }

  return {
    incidentId: incident.id,
    title: incident.title,
    createdAt: incident.createdAt,
    intervals,
    summary: summarise(intervals),
  };
}

/** Every incident created in [from, to), oldest first, with its summary. */
export async function periodResponseTimes(store: Store, from: string, to: string): Promise<ResponseTimesPeriod> {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const incidents = (await store.incidents.list())
    .filter((i) => Date.parse(i.createdAt) >= start && Date.parse(i.createdAt) < end)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const name = await unitNames(store);
  const out: ResponseTimesPeriod['incidents'] = [];
  for (const incident of incidents) {
    const { intervals: _intervals, ...figures } = await incidentResponseTimes(store, incident, name);
    out.push(figures);
  }
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), incidents: out };
}
