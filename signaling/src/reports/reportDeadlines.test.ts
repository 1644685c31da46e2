/** Report deadlines: the first report after the event, a follow-up clock restarted by every report, none after the final. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_DEADLINES } from './ReportOptions.ts';
import { deadlineFor, firstReportDue, isLate, nextDueAfter } from './reportDeadlines.ts';

describe('report deadlines', () => {
  it('gives levels I–II 30 minutes for the first report and a follow-up every 2 h; an unknown level is IV', () => {
    const two = deadlineFor(DEFAULT_REPORT_DEADLINES, 'II');
    expect(firstReportDue(two, '2026-12-07T08:00:00.000Z')).toBe('2026-12-07T08:30:00.000Z');
    expect(nextDueAfter(two, 'first', '2026-12-07T08:20:00.000Z')).toBe('2026-12-07T10:20:00.000Z');
    const unknown = deadlineFor(DEFAULT_REPORT_DEADLINES, null);
    expect(firstReportDue(unknown, '2026-12-07T08:00:00.000Z')).toBe('2026-12-07T10:00:00.000Z');
  });

  it('restarts the clock at each follow-up and stops it at the final report', () => {
    const three = deadlineFor(DEFAULT_REPORT_DEADLINES, 'III');
    expect(nextDueAfter(three, 'follow_up', '2026-12-07T12:00:00.000Z')).toBe('2026-12-07T16:00:00.000Z');
    expect(nextDueAfter(three, 'final', '2026-12-07T12:00:00.000Z')).toBeNull();
  });

  it('calls a report late only after its deadline', () => {
    expect(isLate('2026-12-07T08:30:00.000Z', '2026-12-07T08:30:00.000Z')).toBe(false);
    expect(isLate('2026-12-07T08:30:00.000Z', '2026-12-07T08:30:00.001Z')).toBe(true);
    expect(isLate(null, '2030-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('BEACON_REPORT_DEADLINES', () => {
  it('overrides the named levels and keeps the others', async () => {
    const { reportDeadlinesEnvSchema } = await import('./reportConfig.ts');
    const parsed = reportDeadlinesEnvSchema.parse('I=15/60, III=45/180');
    expect(parsed.I).toEqual({ firstWithinMinutes: 15, followUpEveryMinutes: 60 });
    expect(parsed.III).toEqual({ firstWithinMinutes: 45, followUpEveryMinutes: 180 });
    expect(parsed.II).toEqual(DEFAULT_REPORT_DEADLINES.II);
    expect(reportDeadlinesEnvSchema.safeParse('V=1/1').success).toBe(false);
    expect(reportDeadlinesEnvSchema.safeParse('I=0/10').success).toBe(false);
  });
});
