/**
 * When the next report of a chain is due (pure: the desk and the ticker call
 * it with the clock's time). The first report is due some minutes after the
 * event occurred; each report, on time or not, restarts the follow-up clock;
 * the final report ends it.
 */
import type { ReportKind, ResponseLevel } from '@beacon/protocol';
import type { ReportDeadline } from './ReportOptions.ts';

const MINUTE = 60_000;

export function deadlineFor(
  deadlines: Record<ResponseLevel, ReportDeadline>,
  level: ResponseLevel | null,
): ReportDeadline {
  return deadlines[level ?? 'IV'];
}

/** When the first report was due: `occurredAt` plus the level's first-report minutes. */
export function firstReportDue(deadline: ReportDeadline, occurredAt: string): string {
  return new Date(Date.parse(occurredAt) + deadline.firstWithinMinutes * MINUTE).toISOString();
}

/** The chain's next deadline after a report of `kind` made at `at`; null after the final report. */
export function nextDueAfter(deadline: ReportDeadline, kind: ReportKind, at: string): string | null {
  if (kind === 'final') return null;
  return new Date(Date.parse(at) + deadline.followUpEveryMinutes * MINUTE).toISOString();
}

/** A report made at `at` against a deadline (null: none) is late when it comes after it. */
export function isLate(dueAt: string | null, at: string): boolean {
  return dueAt !== null && Date.parse(at) > Date.parse(dueAt);
}
