/**
 * The warnings' SMS channel without Kannel: a real store and command bus, the
 * gateway's answers scripted (Kannel's own behaviour is test/integration/sms-kannel.test.ts's).
 * Retries after a temporary failure, none after a permanent one, a department's staff texted, and an
 * acknowledgement by a department's staff member acknowledging the department's line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { NumberRateLimiter } from './NumberRateLimiter.ts';
import { SmsAlerts } from './SmsAlerts.ts';
import { DEFAULT_SMS_ALERTS_OPTIONS } from './SmsAlertsOptions.ts';
import { SmsOutbox } from './SmsOutbox.ts';
import type { SmsGateway, SmsSubmission, SubmitResult } from './SmsOutboxTypes.ts';

const duty: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
  departmentId: null,
};

/** Answers per number from a script (then `ok`), and records what it was asked. */
class ScriptedGateway implements SmsGateway {
  readonly calls: SmsSubmission[] = [];
  constructor(readonly script: Record<string, SubmitResult[]>) {}
  async submit(sms: SmsSubmission): Promise<SubmitResult> {
    this.calls.push(sms);
    return this.script[sms.to]?.shift() ?? { ok: true, queued: false };
  }
}

const until = async (what: string, check: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not reached: ${what}`);
};

describeStoreBackends((env) => {
  let store: Store;
  let bus: CommandBus;
  let desk: WarningDesk;
  const started: { alerts: SmsAlerts; outbox: SmsOutbox }[] = [];

  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    bus = new CommandBus(store);
    desk = new WarningDesk(bus);
  });
  afterEach(() => {
    for (const { alerts, outbox } of started.splice(0)) {
      alerts.close();
      outbox.close();
    }
  });

  const channel = (gateway: SmsGateway) => {
    const outbox = new SmsOutbox({ gateway, limiter: new NumberRateLimiter() });
    const alerts = new SmsAlerts({
      bus,
      store,
      warnings: desk,
      outbox,
      reportUrl: (id, attempt) => `http://127.0.0.1/dlr?r=${id}&n=${attempt}&type=%d`,
      options: { ...DEFAULT_SMS_ALERTS_OPTIONS, retryDelayMs: 20, retries: 2 },
    });
    started.push({ alerts, outbox });
    return alerts;
  };

  const issue = async (departmentIds: string[] = []) => {
    const warning = await desk.create(duty, {
      event: '暴雨',
      colour: 'red',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Likely',
      headline: '暴雨红色预警',
      description: '',
      instruction: '',
      area: { type: 'circle', center: [25.04, 101.54], radiusKm: 2 },
      areaDesc: '',
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      incidentId: null,
      escalationMinutes: 0,
      departmentIds,
    });
    await desk.issue(duty, warning.id);
    return warning.id;
  };

  describe('SMS retries', () => {
    it('retries a temporary failure and gives up on a permanent one, auditing every submission', async () => {
      await store.users.update('u-lucheng', { phone: '13900000001' });
      await store.villages.create({
        id: 'v1',
        townshipId: 'lucheng',
        name: '一村',
        kind: 'village',
        code: null,
        contactName: '甲',
        contactMobile: '13800000001',
        lat: null,
        lon: null,
      });
      const gateway = new ScriptedGateway({
        '13800000001': [
          { ok: false, permanent: false, reason: 'kannel unreachable' },
          { ok: false, permanent: false, reason: 'kannel 503' },
        ],
        '13900000001': [{ ok: false, permanent: true, reason: 'kannel 400: bad number' }],
      });
      channel(gateway);
      const warningId = await issue();
      await until('the village texted on the third try', async () =>
        (await store.sms.list(warningId)).some((r) => r.mobile === '13800000001' && r.state === 'submitted'),
      );
      const rows = await store.sms.list(warningId);
      expect(rows.find((r) => r.mobile === '13800000001')).toMatchObject({ attempt: 3, notifyAttempts: 3 });
      expect(rows.find((r) => r.mobile === '13900000001')).toMatchObject({
        state: 'failed',
        attempt: 1,
        failure: 'kannel 400: bad number',
      });
      expect(gateway.calls.filter((c) => c.to === '13900000001')).toHaveLength(1);
      const audit = (await store.audit.list({ limit: 50 })).filter((e) => e.action === 'sms.send');
      expect(audit.map((e) => (e.detail as { result: string }).result).sort()).toEqual([
        'accepted',
        'refused',
        'refused',
        'refused',
      ]);
    });
  });

  describe('SMS to departments', () => {
    it('texts a chosen department’s staff; their reply acknowledges the department’s line by SMS', async () => {
      const staff = await store.users.create({
        id: 'u-sw',
        username: 'shuiwu',
        displayName: '水务局',
        role: 'department',
        townshipId: null,
        departmentId: 'dp-sw',
        phone: '13700000001',
        passwordHash: 'x',
      });
      const alerts = channel(new ScriptedGateway({}));
      const warningId = await issue(['dp-sw']);
      await until('texted', async () => (await store.sms.list(warningId)).some((r) => r.state === 'submitted'));
      expect(await alerts.reply({ from: '+86 137 0000 0001', text: '收到' })).toEqual({ acked: true });
      const line = (await store.warnings.board(warningId)).find((r) => r.departmentId === 'dp-sw');
      expect(line).toMatchObject({ channel: 'sms', ackedBy: staff.id });
      // Nothing open for that number any more: a second reply acknowledges nothing.
      expect(await alerts.reply({ from: '13700000001', text: '1' })).toEqual({ acked: false });
    });

    it('texts the all-clear (预警解除) to whoever the warning reached when it is cancelled, leaving the board', async () => {
      await store.users.update('u-lucheng', { phone: '13900000002' });
      const gateway = new ScriptedGateway({});
      channel(gateway);
      const warningId = await issue();
      await until('texted', async () =>
        (await store.sms.list(warningId)).some((r) => r.mobile === '13900000002' && r.state === 'submitted'),
      );
      const before = await store.sms.list(warningId);
      await desk.cancel(duty, warningId);
      await until('the all-clear sent', async () => gateway.calls.length === 2);
      expect(gateway.calls[1]).toMatchObject({
        to: '13900000002',
        text: '【应急预警】预警解除：暴雨红色预警已解除。暴雨红色预警。',
      });
      expect(await store.sms.list(warningId)).toEqual(before);
      const audit = (await store.audit.list({ limit: 50 })).filter((a) => a.action === 'sms.allClear');
      expect(audit).toHaveLength(1);
      expect(audit[0]?.actorId).toBe('system');
    });
  });
});
