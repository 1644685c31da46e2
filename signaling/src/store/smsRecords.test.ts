/**
 * SMS recipients on both backends: one per number, moves that only apply in their states and to their
 * attempt, the reply lookup, escalation's compare-and-set, and `sms` as a board line's ack channel.
 */
import type { WarningView } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import type { Store } from './index.ts';
import type { NewSmsRecipient } from './smsTypes.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

const T0 = '2026-12-07T08:00:00.000Z';
const T1 = '2026-12-07T08:01:00.000Z';
const T2 = '2026-12-07T08:02:00.000Z';

const warning = (id: string): WarningView => ({
  id,
  identifier: `beacon-${id}`,
  sender: 'beacon@test',
  event: '暴雨',
  colour: 'red',
  urgency: 'Immediate',
  severity: 'Extreme',
  certainty: 'Likely',
  headline: '暴雨红色预警',
  description: '',
  instruction: '',
  area: { type: 'circle', center: [25.04, 101.54], radiusKm: 3 },
  areaDesc: '',
  effective: T0,
  expires: '2099-01-01T00:00:00.000Z',
  status: 'draft',
  incidentId: null,
  affectedTownshipIds: ['lucheng'],
  departmentIds: [],
  coveredShares: {},
  escalationMinutes: 1,
  createdAt: T0,
  createdBy: 'u-duty',
  issuedAt: null,
  issuedBy: null,
});

const recipient = (id: string, mobile: string, over: Partial<NewSmsRecipient> = {}): NewSmsRecipient => ({
  id,
  townshipId: 'lucheng',
  departmentId: null,
  villageId: null,
  userId: 'u-lucheng',
  role: 'staff',
  name: '鹿城镇',
  mobile,
  ...over,
});

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    await store.warnings.create(warning('w1'));
    await store.warnings.issue('w1', 'u-duty', T0);
  });

  it('keeps one recipient per number and walks a text through its states', async () => {
    const rows = await store.sms.add('w1', [recipient('r1', '13800000001'), recipient('r2', '13800000001')], T0);
    expect(rows.map((r) => r.id)).toEqual(['r1']);
    // Queued as the first attempt.
    expect(rows[0]).toMatchObject({ state: 'queued', attempt: 1, notifyAttempts: 1, notifyCount: 1, lastSentAt: T0 });

    // The delivery report may come before Kannel's HTTP answer: submitted then keeps `delivered`.
    expect(await store.sms.delivered('r1', 1, T1)).toMatchObject({ state: 'delivered', deliveredAt: T1 });
    expect(await store.sms.submitted('r1', 1, 3, T0)).toMatchObject({ state: 'delivered', submittedAt: T0, parts: 3 });
    // A report of another attempt changes nothing.
    expect(await store.sms.failed('r1', 7, 'late', T2)).toBeUndefined();
    // A failed part makes the text failed; a retry starts attempt 2 from the queue.
    expect(await store.sms.failed('r1', 1, 'delivery report 2', T2)).toMatchObject({ state: 'failed' });
    expect(await store.sms.beginAttempt('r1', T2)).toMatchObject({ state: 'queued', attempt: 2, notifyAttempts: 2 });
    expect(await store.sms.acked('r1', '收到', T2)).toMatchObject({ state: 'acked', ackedAt: T2, reply: '收到' });
    // Acked is final: no second ack, no new attempt, no late report.
    expect(await store.sms.acked('r1', '1', T2)).toBeUndefined();
    expect(await store.sms.beginAttempt('r1', T2)).toBeUndefined();
    expect(await store.sms.delivered('r1', 2, T2)).toBeUndefined();
  });

  it('finds the open recipients of a number, newest text first, and re-notifies once', async () => {
    await store.warnings.create(warning('w2'));
    await store.warnings.issue('w2', 'u-duty', T0);
    await store.sms.add('w1', [recipient('a', '13800000009')], T0);
    await store.sms.add('w2', [recipient('b', '13800000009')], T0);
    await store.sms.beginAttempt('a', T0);
    await store.sms.beginAttempt('b', T1);
    const open = await store.sms.openFor('13800000009', T1);
    expect(open.map((o) => [o.recipient.id, o.warning.id])).toEqual([
      ['b', 'w2'],
      ['a', 'w1'],
    ]);
    expect((await store.sms.unackedEscalating(T1)).map((o) => o.recipient.id).sort()).toEqual(['a', 'b']);
    // Compare-and-set on the last notification: a second node with the same view loses.
    expect(await store.sms.renotify('a', T2, T0)).toMatchObject({
      notifyCount: 2,
      lastNotifiedAt: T2,
      notifyAttempts: 0,
    });
    expect(await store.sms.renotify('a', T2, T0)).toBeUndefined();
    await store.warnings.cancel('w2');
    expect((await store.sms.openFor('13800000009', T2)).map((o) => o.recipient.id)).toEqual(['a']);
  });

  it('takes sms as a board line’s ack channel and keeps the desk phone’s last call', async () => {
    const to = { kind: 'township', id: 'lucheng' } as const;
    expect(await store.warnings.phoneProgress('w1', to, 'ringing', T0)).toMatchObject({ phoneState: 'ringing' });
    expect(await store.warnings.phoneProgress('w1', to, 'answered', T1)).toMatchObject({ phoneAnsweredAt: T1 });
    expect(await store.warnings.phoneProgress('w1', to, 'ended', T2)).toMatchObject({
      phoneState: 'ended',
      phoneAnsweredAt: T1,
    });
    const acked = await store.warnings.ack('w1', to, {
      by: 'u-lucheng',
      byName: '鹿城镇·短信',
      channel: 'sms',
      at: T2,
    });
    expect(acked?.row).toMatchObject({ channel: 'sms', ackedAt: T2 });
  });
});
