/**
 * Room membership against a real node with real sockets: a township cannot
 * enter another township's pull room (the duty desk's view of its camera) or
 * an emergency room opened for someone else — not even as view-only audience —
 * nor read that room's chat or see it listed; the refusal is coded
 * `not_a_member` and audited. Standing meeting rooms stay open to every
 * signed-in account, and an audience member is never hidden from staff.
 */
import type { PeerInfo, RoomView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { api, connect, login, nextEvent, ok, request, type TestClient, useTestNode } from './helpers.ts';

const t = useTestNode();

async function post<T>(user: string, pathname: string): Promise<T> {
  const res = await api(t.url, await login(t.url, user), pathname, { method: 'POST', body: '{}' });
  expect(res.status).toBe(201);
  return (await res.json()) as T;
}

async function refusedJoin(socket: TestClient, roomId: string, audience: boolean): Promise<void> {
  expect(await request(socket, 'room:join', { roomId, audience })).toMatchObject({
    ok: false,
    error: { code: 'not_a_member' },
  });
}

describe('room membership', () => {
  it("keeps a township out of another township's pull room, audience or not, and audits the attempt", async () => {
    const lucheng = await t.client('lucheng');
    const duty = await t.client('duty');
    const pullRequest = nextEvent(lucheng, 'pull:request');
    expect(await ok(duty, 'pull:start', { townshipId: 'lucheng' })).toEqual({ roomId: 'pull-lucheng' });
    await pullRequest;

    const donggua = await t.client('donggua');
    for (const audience of [false, true]) await refusedJoin(donggua, 'pull-lucheng', audience);
    const refusals = (await t.beacon.node.store.audit.list({ limit: 50 })).filter(
      (e) => e.action === 'room.join_refused' && e.target === 'pull-lucheng',
    );
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ role: 'township', detail: { reason: 'not_a_member' } });

    // The pulled terminal and the duty desk get in.
    await ok(lucheng, 'room:join', { roomId: 'pull-lucheng' });
    await ok(duty, 'room:join', { roomId: 'pull-lucheng', audience: true });
    for (const socket of [lucheng, duty]) await ok(socket, 'room:leave', {});
    await ok(duty, 'pull:stop', { townshipId: 'lucheng' });
  });

  it('admits the invited township and staff to an emergency room; others cannot join, list it or read its chat', async () => {
    const { roomId } = await post<{ roomId: string }>('duty', '/api/v1/townships/lucheng/meeting');
    const donggua = await t.client('donggua');
    for (const audience of [false, true]) await refusedJoin(donggua, roomId, audience);

    const dongguaToken = await login(t.url, 'donggua');
    const chat = await api(t.url, dongguaToken, `/api/v1/rooms/${roomId}/chat`);
    expect(chat.status).toBe(403);
    expect(await chat.json()).toMatchObject({ error: { code: 'not_a_member' } });
    const listed = async (user: string) =>
      ((await (await api(t.url, await login(t.url, user), '/api/v1/rooms')).json()) as RoomView[]).map((r) => r.id);
    expect(await listed('donggua')).not.toContain(roomId);
    expect(await listed('donggua')).toContain('city-weekly');
    expect(await listed('lucheng')).toContain(roomId);
    expect(await listed('chair')).toContain(roomId);

    // A desk phone of another township that staff dial in (or that keys the PIN) is let in on the SIP side.
    const { token: legToken } = await t.beacon.node.tokens.issue({
      userId: 'phone:8002',
      username: 'phone:8002',
      displayName: '东瓜镇·8002',
      role: 'township',
      townshipId: 'donggua',
      device: 'phone',
      extension: '8002',
    });
    const leg = await connect(t.url, legToken);
    await ok(leg, 'room:join', { roomId });
    await ok(leg, 'room:leave', {});
    leg.close();

    const lucheng = await t.client('lucheng');
    const chair = await t.client('chair');
    await ok(lucheng, 'room:join', { roomId });
    await ok(chair, 'room:join', { roomId });
    expect((await api(t.url, await login(t.url, 'lucheng'), `/api/v1/rooms/${roomId}/chat`)).status).toBe(200);
    for (const socket of [lucheng, chair]) await ok(socket, 'room:leave', {});
  });

  it('leaves the standing meeting rooms open, and shows an audience member to staff who are not chairing', async () => {
    const duty = await t.client('duty');
    const joined = await ok(duty, 'room:join', { roomId: 'city-weekly' });
    expect(joined.self.meetingRole).toBe('participant');
    const donggua = await t.client('donggua');
    const heard = nextEvent(duty, 'peer:joined');
    const watcher = await ok(donggua, 'room:join', { roomId: 'city-weekly', audience: true });
    expect(watcher.self.meetingRole).toBe('audience');
    expect(((await heard) as PeerInfo).peerId).toBe(watcher.peerId);

    // A staff account joining later is told about the audience member too.
    const admin = await t.client('admin');
    const adminJoined = await ok(admin, 'room:join', { roomId: 'city-weekly', audience: true });
    expect(adminJoined.peers.map((p) => p.peerId)).toContain(watcher.peerId);
    for (const socket of [duty, donggua, admin]) await ok(socket, 'room:leave', {});
  });
});
