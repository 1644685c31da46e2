/**
 * Meeting notices by phone: the registered desk phones of invitees that have not confirmed are called with the
 * notice read out; "press 1" confirms the unit's receipt without touching one a terminal already gave.
 */
import type { AlertCallRequest } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import { bridgeWithGateway } from '../sip/testing/bridgeWithGateway.ts';
import { openStore, type Store } from '../store/index.ts';
import { BookingDesk } from './BookingDesk.ts';
import { isMeetingCall, NoticeCalls } from './NoticeCalls.ts';

const admin: Actor = { userId: 'u-admin', username: 'admin', displayName: '管理员', role: 'admin', townshipId: null };
let store: Store;
let bridge: SipBridge;
let calls: AlertCallRequest[];

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: { demoPassword: 'beacon2026' } });
  // 鹿城镇's (8001) and 东瓜镇's (8002) desk phones are registered; 紫溪镇's (8004) is not.
  ({ bridge, calls } = await bridgeWithGateway(store, [
    { extension: '8001', contact: 'sip:8001@127.0.0.1:5072' },
    { extension: '8002', contact: 'sip:8002@127.0.0.1:5073' },
  ]));
});
afterEach(() => store.close());

describe('meeting notices by phone', () => {
  it('calls the invitees’ registered phones and takes “press 1” as their receipt', async () => {
    const desk = new BookingDesk({ bus: new CommandBus(store) });
    const noticeCalls = new NoticeCalls({ desk, sip: bridge, store });
    const start = new Date(Date.now() + 3_600_000);
    const saved = await desk.create(admin, {
      title: '防汛会商',
      kind: 'emergency_consultation',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
      roomId: null,
      chairId: 'u-chair',
      invitees: [
        { kind: 'township', id: 'lucheng' },
        { kind: 'township', id: 'zixi' },
        { kind: 'phone', id: '8002' },
      ],
      reminders: [],
      record: false,
      dialPhones: false,
      materialIds: [],
      repeat: null,
    });
    const until = Date.now() + 5_000;
    while (calls.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.map((c) => c.extension).sort()).toEqual(['8001', '8002']);
    const call = calls.find((c) => c.extension === '8001');
    expect(call).toMatchObject({ warningId: `meeting:${saved.booking.id}`, townshipId: 'lucheng' });
    expect(isMeetingCall(call?.warningId ?? '')).toBe(true);
    expect(call?.textZh).toContain('防汛会商');
    expect(call?.textZh).toContain('请按1确认');

    const first = await noticeCalls.ack({
      warningId: `meeting:${saved.booking.id}`,
      townshipId: 'lucheng',
      extension: '8001',
    });
    expect(first.alreadyAcked).toBe(false);
    const again = await noticeCalls.ack({
      warningId: `meeting:${saved.booking.id}`,
      townshipId: 'lucheng',
      extension: '8001',
    });
    expect(again).toEqual({ ackedAt: first.ackedAt, alreadyAcked: true });
    const lucheng = (await store.bookings.invitees(saved.booking.id)).find((i) => i.refId === 'lucheng');
    expect(lucheng).toMatchObject({ confirmedBy: null, confirmedByName: '鹿城镇·8001（电话）', attendees: [] });
    // A phone that is no invitee's confirms nothing.
    const stranger = await noticeCalls
      .ack({ warningId: `meeting:${saved.booking.id}`, townshipId: 'bajiao', extension: '8009' })
      .catch((err: { code?: string }) => err.code);
    expect(stranger).toBe('not_found');
    noticeCalls.close();
  });
});
