/**
 * DutyCalls on a real store, room registry (mediasoup on loopback) and SIP
 * bridge: a phone that reaches its line rings the officers on duty, one
 * answers (a second answer is refused), the ring time forwards it to the
 * leader on duty's phone, declines by all forward at once, a hang-up before
 * anyone answers is a missed call, and every step is in the duty log.
 */
import { MediaServer } from '@beacon/media-server';
import { loopbackOptions } from '@beacon/media-server/testing';
import type { DialRequest, DutyCallView, DutyLogEntry } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import type { Actor } from '../command/CommandBus.ts';
import { Participant } from '../rooms/Participant.ts';
import { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/openStore.ts';
import { DutyCalls } from './DutyCalls.ts';
import { DutyDesk } from './DutyDesk.ts';

const officer: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
};
const admin: Actor = {
  userId: 'u-admin',
  username: 'admin',
  displayName: '系统管理员',
  role: 'admin',
  townshipId: null,
};
const township: Actor = {
  userId: 'u-lucheng',
  username: 'lucheng',
  displayName: '鹿城镇',
  role: 'township',
  townshipId: 'lucheng',
};

const waitUntil = (check: () => boolean, timeout = 3000) =>
  vi.waitFor(
    () => {
      if (!check()) throw new Error('not yet');
    },
    { timeout, interval: 20 },
  );

function phone(extension: string, displayName: string): AuthClaims {
  return {
    userId: `phone:${extension}`,
    username: `phone:${extension}`,
    displayName,
    role: 'township',
    townshipId: null,
    device: 'phone',
    extension,
  };
}

describe('DutyCalls', () => {
  let media: MediaServer;
  let registry: RoomRegistry;
  let store: Store;
  let duty: DutyDesk;
  let sip: SipBridge;
  let calls: DutyCalls;
  let cards: { call: DutyCallView; userIds: string[] | null }[];
  let log: DutyLogEntry[];
  let dials: DialRequest[];
  let hangups: string[];
  let peers = 0;

  const join = async (roomId: string, claims: AuthClaims) => {
    const p = new Participant({ peerId: `p${++peers}`, roomId, socketId: `s${peers}`, claims });
    await registry.join(roomId, p);
    return p;
  };
  const lastCard = () => cards.at(-1)?.call;
  const logText = () => log.map((e) => e.text);

  beforeEach(async () => {
    media = await MediaServer.create(await loopbackOptions());
    registry = new RoomRegistry(media);
    store = await openStore({ file: ':memory:', seed: { demoPassword: 'pw' } });
    duty = new DutyDesk(store);
    sip = new SipBridge({ store, realm: 'beacon' });
    sip.gatewayConnected('gw');
    sip.report('gw', { kamailio: 'running', reason: null, registrations: [], inCall: [] });
    calls = new DutyCalls({ store, registry, sip, duty, options: { number: '8000', ringMs: 400 } });
    cards = [];
    log = [];
    dials = [];
    hangups = [];
    calls.on('call', (c) => cards.push(c));
    calls.on('hangup', ({ peerId }) => hangups.push(peerId));
    duty.on('log', (entry) => log.push(entry));
    sip.on('dial', ({ request }) => dials.push(request));
    // On duty now: 值班员 and 系统管理员, led by 市领导 whose phone is the desk phone 8100.
    const now = duty.roster.current(new Date());
    if (!now) throw new Error('the default shifts leave no gap');
    await store.users.update('u-chair', { phone: '8100' });
    await duty.roster.set(admin, now.day, now.shift, { leaderId: 'u-chair', officerIds: ['u-duty', 'u-admin'] });
  });

  afterEach(async () => {
    calls.close();
    registry.close();
    await store.close();
    await media.close();
  });

  it('rings the officers on duty once the phone is in its line; one answers, a second answer is refused', async () => {
    const line = await calls.open();
    expect(line.roomId).toBe('duty-line-1');
    expect(cards).toEqual([]);
    const caller = await join(line.roomId, phone('8001', '鹿城镇·8001'));
    await waitUntil(() => cards.length === 1);
    expect(cards[0]?.userIds).toEqual(['u-duty', 'u-admin']);
    expect(cards[0]?.call).toMatchObject({ state: 'ringing', caller: '鹿城镇·8001', extension: '8001' });
    expect(calls.ringingFor('u-duty')).toHaveLength(1);
    expect(calls.ringingFor('u-other')).toHaveLength(0);

    const callId = lastCard()?.callId as string;
    expect(() => calls.answer(township, callId)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(calls.answer(officer, callId)).toEqual({ roomId: 'duty-line-1' });
    expect(lastCard()).toMatchObject({ state: 'answered', answeredBy: { userId: 'u-duty' } });
    expect(() => calls.answer(admin, callId)).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    expect(calls.ringingFor('u-admin')).toEqual([]);

    // The ring time passes: an answered call is not forwarded.
    await new Promise((r) => setTimeout(r, 600));
    expect(dials).toEqual([]);
    await join(line.roomId, { ...officer, townshipId: null });
    registry.get(line.roomId)?.remove(caller.peerId);
    await waitUntil(() => lastCard()?.state === 'ended');
    await waitUntil(() => log.length === 3);
    expect(logText()[0]).toBe('来电：鹿城镇·8001');
    expect(logText()[1]).toBe('值班员 接听来电：鹿城镇·8001');
    expect(logText()[2]).toMatch(/^通话结束：鹿城镇·8001，通话 \d+ 秒$/);
    expect(log.every((e) => e.category === 'call')).toBe(true);
    expect(log[0]?.authorId).toBe('duty-number');
    // The officer is still in line 1: the next call takes line 2.
    expect((await calls.open()).roomId).toBe('duty-line-2');
  });

  it('unanswered for the ring time: dials the leader on duty into the line; the caller hanging up hangs the leader up', async () => {
    const line = await calls.open();
    const caller = await join(line.roomId, phone('8002', '东瓜镇·8002'));
    await waitUntil(() => dials.length === 1, 5000);
    expect(dials[0]).toMatchObject({ roomId: line.roomId, extension: '8100', displayName: '市领导' });
    expect(lastCard()).toMatchObject({ state: 'forwarded', forwardedTo: { userId: 'u-chair', phone: '8100' } });
    await waitUntil(() => log.length === 2);
    expect(logText()[1]).toBe('0 秒无人接听，转带班领导 市领导（8100）：东瓜镇·8002');

    const leaderPhone = await join(line.roomId, phone('8100', '电话 8100'));
    expect(lastCard()).toMatchObject({ state: 'answered', answeredBy: { userId: 'u-chair' } });
    registry.get(line.roomId)?.remove(caller.peerId);
    expect(hangups).toEqual([leaderPhone.peerId]);
    await waitUntil(() => log.length === 4);
    expect(logText()[2]).toBe('带班领导 市领导 接听来电：东瓜镇·8002');
  });

  it('forwards at once when every officer on duty declined, and logs a hang-up before an answer as missed', async () => {
    const line = await calls.open();
    const caller = await join(line.roomId, phone('8003', '吕合镇·8003'));
    await waitUntil(() => cards.length === 1);
    const callId = lastCard()?.callId as string;
    calls.decline(officer, callId);
    expect(lastCard()).toMatchObject({ state: 'ringing', declinedBy: ['u-duty'] });
    expect(calls.ringingFor('u-duty')).toEqual([]);
    calls.decline(admin, callId);
    await waitUntil(() => dials.length === 1);
    expect(lastCard()?.state).toBe('forwarded');

    registry.get(line.roomId)?.remove(caller.peerId);
    expect(lastCard()?.state).toBe('ended');
    expect(() => calls.answer(officer, callId)).toThrow(expect.objectContaining({ code: 'invalid_state' }));
    await waitUntil(() => log.length === 5);
    expect(logText().slice(1, 3)).toEqual(['值班员 拒接来电：吕合镇·8003', '系统管理员 拒接来电：吕合镇·8003']);
    expect(logText()[3]).toBe('值班员均已拒接，转带班领导 市领导（8100）：吕合镇·8003');
    expect(logText()[4]).toMatch(/^未接来电：吕合镇·8003（响铃 \d+ 秒后挂机，已转带班领导）$/);
  });

  it('gives two calls at once two lines, and rings every staff console when nobody is rostered', async () => {
    const now = duty.roster.current(new Date());
    if (!now) throw new Error('the default shifts leave no gap');
    await duty.roster.set(admin, now.day, now.shift, { leaderId: null, officerIds: [] });
    const [a, b] = await Promise.all([calls.open(), calls.open()]);
    expect(new Set([a.roomId, b.roomId])).toEqual(new Set(['duty-line-1', 'duty-line-2']));
    await join(a.roomId, phone('8004', '紫溪镇·8004'));
    await waitUntil(() => cards.length === 1);
    expect(cards[0]?.userIds).toBeNull();
    // No leader to forward to: logged, nobody dialled.
    await waitUntil(() => log.length === 2, 5000);
    expect(logText()[1]).toBe('0 秒无人接听，排班表无带班领导，无法转接：紫溪镇·8004');
    expect(dials).toEqual([]);
  });
});
