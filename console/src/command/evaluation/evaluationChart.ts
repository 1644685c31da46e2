/**
 * The response-time chart's data without ECharts or the DOM (unit-tested in
 * node): one bar group per incident, one bar per step, the step's median in
 * minutes; a step an incident did not have is a gap, not a zero.
 */
import type { ResponseMetric, ResponseTimesPeriod } from '@beacon/protocol';
import { RESPONSE_METRICS } from '@beacon/protocol/constants';

export interface ChartSeries {
  metric: ResponseMetric;
  /** One value per incident, in the period's order; null where the incident had no such finished step. */
  values: (number | null)[];
}

export interface ChartData {
  /** The incidents' labels: title and day. */
  categories: string[];
  series: ChartSeries[];
}

/** Steps that no incident of the period had are left out (an empty legend entry helps nobody). */
export function chartData(period: ResponseTimesPeriod, dayOf: (iso: string) => string): ChartData {
  const categories = period.incidents.map((i) => `${i.title}\n${dayOf(i.createdAt)}`);
  const series = RESPONSE_METRICS.map((metric: ResponseMetric) => ({
    metric,
    values: period.incidents.map((i) => i.summary.find((s) => s.metric === metric)?.medianMinutes ?? null),
  })).filter((s) => s.values.some((v) => v !== null));
  return { categories, series };
}

/** `from`–`to` of the last `days` days, as the REST query wants them (dates; `to` is tomorrow, exclusive). */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const to = new Date(now.getTime() + 86_400_000);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: day(from), to: day(to) };
}
