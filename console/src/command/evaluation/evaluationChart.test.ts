import type { ResponseTimesPeriod } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { chartData, lastDays } from './evaluationChart.ts';

const summary = (medians: Record<string, number | null>) =>
  Object.entries(medians).map(([metric, medianMinutes]) => ({
    metric,
    count: medianMinutes === null ? 0 : 1,
    pending: 0,
    medianMinutes,
    maxMinutes: medianMinutes,
  })) as ResponseTimesPeriod['incidents'][number]['summary'];

describe('the response-time chart', () => {
  it('has a bar group per incident and a series per step some incident had; a missing step is a gap', () => {
    const period: ResponseTimesPeriod = {
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-08T00:00:00.000Z',
      incidents: [
        { incidentId: 'a', title: '滑坡', createdAt: '2026-12-02T01:00:00.000Z', summary: summary({ task_to_ack: 5 }) },
        {
          incidentId: 'b',
          title: '洪水',
          createdAt: '2026-12-05T01:00:00.000Z',
          summary: summary({ task_to_ack: 12, warning_to_ack: 3, ack_to_done: null }),
        },
      ],
    };
    const data = chartData(period, (iso) => iso.slice(5, 10));
    expect(data.categories).toEqual(['滑坡\n12-02', '洪水\n12-05']);
    expect(data.series).toEqual([
      { metric: 'warning_to_ack', values: [null, 3] },
      { metric: 'task_to_ack', values: [5, 12] },
    ]);
  });

  it('gives the last days as dates, the end exclusive', () => {
    expect(lastDays(7, new Date('2026-12-07T10:00:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-08' });
  });
});
