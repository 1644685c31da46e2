/**
 * Meeting notices by SMS on a real store (both backends), the gateway scripted: the invited units' accounts with
 * a number are texted (not the others), a change and a cancellation are texted again; a reply 收到 from a
 * township's number confirms that township's receipt, and a reply that is no acknowledgement confirms nothing.
 */
import type { NewBooking } from '@beacon/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { BookingDesk } from '../meetings/BookingDesk.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { MeetingSms, meetingSmsText } from './MeetingSms.ts';
import { NumberRateLimiter } from './NumberRateLimiter.ts';
import { SmsOutbox } from './SmsOutbox.ts';
import type { SmsGateway, SmsSubmission, SubmitResult } from './SmsOutboxTypes.ts';

const admin: Actor = { userId: 'u-admin', username: 'admin', displayName: '秘书', role: 'admin', townshipId: null };

class RecordingGateway implements SmsGateway {
  readonly calls: SmsSubmission[] = [];
  async submit(sms: SmsSubmission): Promise<SubmitResult> {
    this.calls.push(sms);
    return { ok: true, queued: false };
  }
}

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not reached: ${what}`);
};

describeStoreBackends((env) => {
  let store: Store;
  let desk: BookingDesk;
  let gateway: RecordingGateway;
  let outbox: SmsOutbox;
  let sms: MeetingSms;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    desk = new BookingDesk({ bus: new CommandBus(store) });
    gateway = new RecordingGateway();
    outbox = new SmsOutbox({ gateway, limiter: new NumberRateLimiter() });
    sms = new MeetingSms({ store, desk, outbox, signature: '市政府办' });
    await store.users.update('u-lucheng', { phone: '13900000001' });
    await store.users.update('u-zixi', { phone: '+86 139-0000-0002' });
    // Not invited: never texted.
    await store.users.update('u-bajiao', { phone: '13900000003' });
  });
  afterEach(() => {
    sms.close();
    outbox.close();
  });

  const booking = (): NewBooking => ({
    title: '全市防汛工作会',
    kind: 'work',
    startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    roomId: 'city-weekly',
    chairId: 'u-chair',
    invitees: [
      { kind: 'township', id: 'lucheng' },
      { kind: 'township', id: 'zixi' },
    ],
    reminders: [],
    record: false,
    dialPhones: false,
    materialIds: [],
    repeat: null,
  });

  it('texts the invited units, again on a change and a cancellation; 收到 confirms the township', async () => {
    const saved = await desk.create(admin, booking());
    await until('two texts', () => gateway.calls.length === 2);
    expect(gateway.calls.map((c) => c.to).sort()).toEqual(['13900000001', '13900000002']);
    expect(gateway.calls[0]?.text).toMatch(/^【市政府办】会议通知：全市防汛工作会，.*回复1或“收到”签收。$/);

    expect(await sms.reply({ from: '13900000001', text: '好的' })).toBeNull();
    expect(await sms.reply({ from: '+8613900000001', text: '收到' })).toBe(saved.booking.id);
    const lucheng = (await desk.get(admin, saved.booking.id)).invitees.find((i) => i.id === 'lucheng');
    expect(lucheng).toMatchObject({ status: 'confirmed', confirmedByName: expect.stringContaining('短信') });
    expect((await store.audit.list()).map((e) => e.action)).toEqual(
      expect.arrayContaining(['meeting.sms', 'meeting.receipt']),
    );
    // Nothing left to confirm for that number.
    expect(await sms.reply({ from: '13900000001', text: '1' })).toBeNull();

    await desk.edit(admin, saved.booking.id, { title: '全市防汛工作会（调整）' });
    await until('change texts', () => gateway.calls.length === 4);
    expect(gateway.calls[2]?.text).toContain('会议变更通知');
    await desk.cancel(admin, saved.booking.id, '');
    await until('cancel texts', () => gateway.calls.length === 6);
    expect(gateway.calls[4]?.text).toContain('会议取消通知');
  });
});

it('writes the notice in the offices’ time', () => {
  const text = meetingSmsText(
    {
      title: '周例会',
      startsAt: '2030-03-04T01:30:00.000Z',
      roomTitle: '全市周例会',
      chairName: '市领导',
    } as Parameters<typeof meetingSmsText>[0],
    'new',
    '市政府办',
  );
  expect(text).toBe(
    '【市政府办】会议通知：周例会，2030年3月4日 09:30，会场全市周例会，主持人市领导。回复1或“收到”签收。',
  );
});
