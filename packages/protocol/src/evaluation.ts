/**
 * Response-time figures of the after-action evaluation (总结评估): how long
 * each step of the response took, per township and department, for one
 * incident (GET /api/v1/incidents/:id/response-times, and the after-action
 * report) and across the incidents of a period (GET /api/v1/evaluation/response-times).
 */
import { z } from 'zod';
import type { AckChannel } from './command.ts';
import type { ResponseMetric } from './evaluationVocabulary.ts';

/** One measured step of one unit (or of the incident itself: no unit). */
export interface ResponseInterval {
  metric: ResponseMetric;
  unitKind: 'township' | 'department' | null;
  unitId: string | null;
  unitName: string | null;
  /** warning_to_ack: terminal or phone. */
  channel: AckChannel | null;
  from: string;
  /** Null: not yet (a warning not acknowledged, a task not done). */
  to: string | null;
  /** Null while `to` is. */
  minutes: number | null;
}

export interface ResponseSummary {
  metric: ResponseMetric;
  /** Steps finished, and steps still open. */
  count: number;
  pending: number;
  /** Of the finished steps; null when none finished. */
  medianMinutes: number | null;
  maxMinutes: number | null;
}

export interface IncidentResponseTimes {
  incidentId: string;
  title: string;
  createdAt: string;
  intervals: ResponseInterval[];
  summary: ResponseSummary[];
}

/** `?from=&to=` (ISO dates or date-times): incidents created in [from, to), at most a year. */
export const responseTimesQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), {
    message: 'from 须早于 to / from must be before to',
    path: ['to'],
  })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
    message: '最长一年 / at most a year',
    path: ['to'],
  });

export interface ResponseTimesPeriod {
  from: string;
  to: string;
  /** Oldest first; each with its summary only (the intervals are on the incident's own report). */
  incidents: Omit<IncidentResponseTimes, 'intervals'>[];
}
