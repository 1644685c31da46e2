/**
 * Response-time figures from a handled incident on both backends, every step at a known time: a township's first
 * report 20 min after the event, verified 10 min later; response started 30 min after verifying; a warning acked
 * by one township's terminal after 4 min and by phone after 12, the other not yet; a task acked after 5 min and
 * done 60 min later. The period lists only the incidents created in it.
 */
import type { WarningView } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { incidentResponseTimes, median, minutesBetween, periodResponseTimes } from './responseTimes.ts';

const T0 = Date.parse('2026-12-07T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('response-time arithmetic', () => {
  it('gives minutes to 0.1 and the median of the finished steps', () => {
    expect(minutesBetween(at(0), at(12.25))).toBe(12.3);
    expect(minutesBetween(at(0), null)).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 12])).toBe(8);
    expect(median([])).toBeNull();
  });
});

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  async function handledIncident(): Promise<void> {
    await store.incidents.create({
      id: 'i1',
      type: 'landslide',
      level: 'III',
      title: '紫溪镇山体滑坡',
      description: '',
      reporter: '',
      townshipId: 'zixi',
      location: [25.0, 101.42],
      status: 'reported',
      createdAt: at(25),
      createdBy: 'u-duty',
      updatedAt: at(25),
      departmentIds: [],
    });
    const place: [number, number] = [25.0, 101.42];
    await store.reports.create(
      {
        id: 'c1',
        unitKind: 'township',
        unitId: 'zixi',
        type: 'landslide',
        level: 'III',
        title: '滑坡',
        channel: 'terminal',
        caller: null,
        occurredAt: at(0),
        location: place,
        createdAt: at(20),
        createdBy: 'u-zixi',
        nextDueAt: null,
      },
      {
        id: 'e1',
        kind: 'first',
        at: at(20),
        byId: 'u-zixi',
        byName: '紫溪镇',
        occurredAt: at(0),
        location: place,
        description: '边坡垮塌',
        casualties: { deaths: 0, injured: 0, missing: 0, trapped: 0 },
        affected: 0,
        evacuated: 0,
        late: false,
        photoIds: [],
      },
    );
    await store.reports.setHandling(
      'c1',
      { state: 'linked', incidentId: 'i1', verifiedAt: at(30), verifiedByName: '值班员' },
      at(30),
    );
    for (const [from, to, minute] of [
      ['reported', 'verified', 30],
      ['verified', 'responding', 60],
    ] as const) {
      const entry = await store.incidents.addTimeline({
        incidentId: 'i1',
        actorId: 'u-duty',
        actorName: '值班员',
        kind: 'status',
        text: `${from} → ${to}`,
        data: { from, to },
      });
      await store.incidents.setStatus('i1', to, at(minute));
      // The store stamps timeline entries with the present; this incident happened at T0.
      const db = await env.connect();
      await db.run('UPDATE incident_timeline SET at = ? WHERE id = ?', [at(minute), entry.id]);
    }
    const warning: WarningView = {
      id: 'w1',
      identifier: 'beacon-w1',
      sender: 'test@beacon',
      event: '地质灾害',
      colour: 'orange',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      headline: '地质灾害橙色预警',
      description: '',
      instruction: '',
      area: { type: 'circle', center: [25.0, 101.42], radiusKm: 3 },
      areaDesc: '',
      effective: at(40),
      expires: at(600),
      status: 'draft',
      incidentId: 'i1',
      affectedTownshipIds: ['zixi', 'lucheng', 'donggua'],
      departmentIds: [],
      escalationMinutes: 10,
      createdAt: at(40),
      createdBy: 'u-duty',
      issuedAt: null,
      issuedBy: null,
    };
    await store.warnings.create(warning);
    await store.warnings.issue('w1', 'u-duty', at(40));
    const town = (id: string) => ({ kind: 'township' as const, id });
    await store.warnings.ack('w1', town('zixi'), { by: 'u-zixi', byName: '紫溪镇', channel: 'terminal', at: at(44) });
    await store.warnings.ack('w1', town('lucheng'), { by: 'u-lc', byName: '鹿城镇', channel: 'phone', at: at(52) });
    await store.tasks.createBatch([
      {
        id: 't1',
        batchId: 'b1',
        townshipId: null,
        departmentId: 'dp-zrzy',
        text: '排查隐患点',
        deadline: at(240),
        incidentId: 'i1',
        status: 'sent',
        note: null,
        createdAt: at(45),
        createdBy: 'u-duty',
        ackedAt: null,
        doneAt: null,
      },
    ]);
    await store.tasks.ack('t1', at(50));
    await store.tasks.done('t1', '已排查', at(110));
  }

  it('measures each step per unit and summarises it', async () => {
    await handledIncident();
    const incident = await store.incidents.get('i1');
    if (!incident) throw new Error('no incident');
    const figures = await incidentResponseTimes(store, incident);
    const steps = figures.intervals.map((i) => [i.metric, i.unitName, i.channel, i.minutes]);
    expect(steps).toEqual(
      expect.arrayContaining([
        ['occurrence_to_report', '紫溪镇', null, 20],
        ['report_to_verified', '紫溪镇', null, 10],
        ['verified_to_response', null, null, 30],
        ['warning_to_ack', '紫溪镇', 'terminal', 4],
        ['warning_to_ack', '鹿城镇', 'phone', 12],
        ['warning_to_ack', '东瓜镇', null, null],
        ['task_to_ack', '楚雄市自然资源局', null, 5],
        ['ack_to_done', '楚雄市自然资源局', null, 60],
      ]),
    );
    expect(figures.intervals).toHaveLength(8);
    expect(figures.summary.find((s) => s.metric === 'warning_to_ack')).toEqual({
      metric: 'warning_to_ack',
      count: 2,
      pending: 1,
      medianMinutes: 8,
      maxMinutes: 12,
    });
  });

  it('lists the incidents created in a period with their summaries', async () => {
    await handledIncident();
    const inside = await periodResponseTimes(store, '2026-12-07', '2026-12-08');
    expect(
      inside.incidents.map((i) => [i.incidentId, i.summary.find((s) => s.metric === 'task_to_ack')?.medianMinutes]),
    ).toEqual([['i1', 5]]);
    expect((await periodResponseTimes(store, '2026-12-08', '2026-12-09')).incidents).toEqual([]);
  });
});
