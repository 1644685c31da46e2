/** A report entry as stored, and what the audit keeps of a chain. */
import { randomUUID } from 'node:crypto';
import type { ReportChainView, ReportEntryInput } from '@beacon/protocol';
import type { NewReportEntry } from '../store/reportTypes.ts';
import type { ReportActor } from './ReportDesk.ts';
import { isLate } from './reportDeadlines.ts';

export const KIND_ZH = { first: '首报', follow_up: '续报', final: '终报' } as const;

/** The entry `actor` makes at `at`; late when `dueAt` (null: none) had passed. */
export function newEntry(
  actor: ReportActor,
  kind: NewReportEntry['kind'],
  input: Omit<ReportEntryInput, 'kind' | 'location'> & { location: [number, number] },
  at: string,
  dueAt: string | null,
): NewReportEntry {
  return {
    id: randomUUID(),
    kind,
    at,
    byId: actor.userId,
    byName: actor.displayName,
    occurredAt: input.occurredAt,
    location: input.location,
    description: input.description,
    casualties: input.casualties,
    affected: input.affected,
    evacuated: input.evacuated,
    late: isLate(dueAt, at),
    photoIds: input.photoIds,
  };
}

/** What the audit keeps of a chain: its handling and counts, not every description again. */
export function summary(chain: ReportChainView) {
  return {
    unit: `${chain.unitKind}:${chain.unitId}`,
    type: chain.type,
    level: chain.level,
    state: chain.state,
    final: chain.final,
    incidentId: chain.incidentId,
    entries: chain.entries.length,
    questions: chain.questions.map((q) => ({ id: q.id, answered: q.answeredAt !== null })),
    overdue: chain.overdue,
    mergedInto: chain.mergedInto?.id ?? null,
  };
}
