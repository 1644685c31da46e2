/**
 * The duty number over real sockets on a real node (no Kamailio: the
 * gateway's service socket and a phone leg's socket stand in for it): the
 * number resolves to a line without a PIN, the phone entering the line rings
 * every staff console when nobody is rostered, one officer answers, the
 * others are told, a township account may not answer, the caller hanging up
 * ends it, and the duty log has each step.
 */
import type { DutyCallView, DutyLogEntry } from '@beacon/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { api, connect, gatewaySocket, login, nextEvent, ok, request, type TestClient, useTestNode } from './helpers.ts';

const t = useTestNode();
const opened: TestClient[] = [];

afterEach(() => {
  for (const socket of opened.splice(0)) socket.close();
});

async function track(socket: Promise<TestClient>): Promise<TestClient> {
  const s = await socket;
  opened.push(s);
  return s;
}

const gateway = () => track(gatewaySocket(t.beacon.node));

const user = async (username: string) => track(connect(t.url, await login(t.url, username)));

describe('the duty number', () => {
  it('rings staff consoles once the phone is in its line; one officer answers; the hang-up ends it', async () => {
    const [duty, chair, township] = [await user('duty'), await user('chair'), await user('lucheng')];
    const gw = await gateway();
    const line = await ok(gw, 'sip:resolve', { number: '8000' });
    expect(line).toMatchObject({ roomId: expect.stringMatching(/^duty-line-\d+$/), pinRequired: false });

    const issued = await ok(gw, 'sip:legToken', { callId: 'call-duty-1', extension: '8003', fromNumber: '8003' });
    const phone = await track(connect(t.url, issued.token));
    const rings = [nextEvent(duty, 'duty:call'), nextEvent(chair, 'duty:call')];
    await ok(phone, 'room:join', { roomId: line.roomId });
    const [seen, seenByChair] = (await Promise.all(rings)) as [DutyCallView, DutyCallView];
    expect(seen).toMatchObject({ state: 'ringing', caller: '吕合镇·8003', extension: '8003', roomId: line.roomId });
    expect(seenByChair.callId).toBe(seen.callId);

    const listed = await api(t.url, await login(t.url, 'duty'), '/api/v1/duty/calls');
    expect(((await listed.json()) as DutyCallView[]).map((c) => c.callId)).toEqual([seen.callId]);

    expect(await request(township, 'duty:call:answer', { callId: seen.callId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const answeredForChair = nextEvent(chair, 'duty:call');
    expect(await ok(duty, 'duty:call:answer', { callId: seen.callId })).toEqual({ roomId: line.roomId });
    expect(await answeredForChair).toMatchObject({ state: 'answered', answeredBy: { displayName: '值班员' } });
    expect(await request(chair, 'duty:call:answer', { callId: seen.callId })).toMatchObject({
      ok: false,
      error: { code: 'invalid_state' },
    });
    expect(await request(chair, 'duty:call:answer', { callId: 'dc-nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    const ended = nextEvent(duty, 'duty:call');
    await ok(phone, 'room:leave', {});
    expect(await ended).toMatchObject({ callId: seen.callId, state: 'ended' });
    const log = (await (
      await api(t.url, await login(t.url, 'chair'), '/api/v1/duty/log?limit=10')
    ).json()) as DutyLogEntry[];
    expect(
      log
        .map((e) => e.text)
        .slice(0, 3)
        .reverse(),
    ).toEqual([
      '来电：吕合镇·8003（排班表无值班员，通知全部值班席位）',
      '值班员 接听来电：吕合镇·8003',
      expect.stringMatching(/^通话结束：吕合镇·8003，通话 \d+ 秒$/),
    ]);
  });
});
