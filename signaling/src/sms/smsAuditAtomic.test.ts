/**
 * A text's outcome and an SMS acknowledgement commit with their audit entries (both backends): with the entry
 * refused (a trigger aborts its insert), a submitted text is not marked submitted and a reply acknowledges
 * nothing; with entries written again the reply acknowledges the line, with its entry. The gateway is scripted
 * (Kannel's own behaviour is test/integration/sms-kannel.test.ts's).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { actor } from '../command/testing/actors.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { sampleWarningForm } from '../store/testing/sampleWarnings.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { NumberRateLimiter } from './NumberRateLimiter.ts';
import { SmsAlerts } from './SmsAlerts.ts';
import { DEFAULT_SMS_ALERTS_OPTIONS } from './SmsAlertsOptions.ts';
import { SmsOutbox } from './SmsOutbox.ts';
import type { SmsGateway, SubmitResult } from './SmsOutboxTypes.ts';

const duty = actor('u-duty', 'duty_officer');
/** Audited changes settled (committed or refused) so far: a text's outcome is stored after the gateway answered. */
let settled = 0;
/** Accepts every text, counting them and what had settled when the last one came. */
const gateway: SmsGateway & { calls: number; settledAtLastCall: number } = {
  calls: 0,
  settledAtLastCall: 0,
  submit: async (): Promise<SubmitResult> => {
    gateway.calls++;
    gateway.settledAtLastCall = settled;
    return { ok: true, queued: false };
  },
};

describeStoreBackends((env) => {
  let store: Store;
  let desk: WarningDesk;
  let alerts: SmsAlerts;
  let outbox: SmsOutbox;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    settled = 0;
    const audited = bus.audited.bind(bus) as (...args: unknown[]) => Promise<unknown>;
    (bus as unknown as { audited: typeof audited }).audited = async (...args) => {
      try {
        return await audited(...args);
      } finally {
        settled++;
      }
    };
    desk = new WarningDesk(bus);
    await store.users.update('u-lucheng', { phone: '13900000001' });
    gateway.calls = 0;
    outbox = new SmsOutbox({ gateway, limiter: new NumberRateLimiter() });
    alerts = new SmsAlerts({
      bus,
      store,
      warnings: desk,
      outbox,
      reportUrl: (id, attempt) => `http://127.0.0.1/dlr?r=${id}&n=${attempt}&type=%d`,
      options: { ...DEFAULT_SMS_ALERTS_OPTIONS, retryDelayMs: 20, retries: 0 },
    });
  });
  afterEach(() => {
    alerts.close();
    outbox.close();
  });
  const count = async (action: string) =>
    (await store.audit.list({ limit: 1000 })).filter((e) => e.action === action).length;

  it('keeps no submission or acknowledgement whose entry was refused', async () => {
    const sends = await refuseAudit(env, ['sms.send']);
    const first = await desk.create(duty, sampleWarningForm({ escalationMinutes: 0 }));
    await desk.issue(duty, first.id);
    await expect.poll(() => gateway.calls, { timeout: 15_000 }).toBe(1);
    // The outcome is stored after the gateway's answer: only once its refusal settled may entries be written again.
    await expect.poll(() => settled, { timeout: 15_000 }).toBeGreaterThan(gateway.settledAtLastCall);
    await sends.allow();

    const second = await desk.create(duty, sampleWarningForm({ escalationMinutes: 0, headline: '第二条' }));
    await desk.issue(duty, second.id);
    await expect
      .poll(async () => (await store.sms.list(second.id)).map((r) => r.state), { timeout: 15_000 })
      .toEqual(['submitted']);
    // The outbox sends one number's texts in order: the first one's outcome was handled before the second's.
    // The gateway accepted it, but its outcome could not be audited: it is not recorded as submitted.
    expect((await store.sms.list(first.id)).map((r) => r.state)).toEqual(['queued']);
    expect(await count('sms.send')).toBe(1);
    const acks = await refuseAudit(env, ['sms.ack']);
    await expect(alerts.reply({ from: '13900000001', text: '收到' })).rejects.toThrow(/audit refused/);
    expect((await store.sms.list(second.id)).find((r) => r.mobile === '13900000001')?.ackedAt).toBeNull();
    await acks.allow();
    expect(await alerts.reply({ from: '13900000001', text: '收到' })).toEqual({ acked: true });
    expect(await count('sms.ack')).toBe(1);
  });
});
