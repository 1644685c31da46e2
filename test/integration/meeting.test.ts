/**
 * Meeting control (the chair's tools) against a real node and a real mediasoup worker:
 * permissions, chair controls, roll call, polling, speak requests, chat,
 * attendance, broadcast mode, reconnect and recording. Producers are real
 * mediasoup producers on WebRTC transports that never carry packets
 * (mediasoup accepts `produce` before DTLS connects), so mute state is
 * checked on the media server itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClientEventResults, RecordingView, RoomState } from '@beacon/protocol';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/waitFor.ts';
import { api, FAKE_DTLS, login, micProducer, nextEvent, ok, request, type TestClient, useTestNode } from './helpers.ts';

const GRACE_MS = 1_500;
const t = useTestNode({ env: { BEACON_RECONNECT_GRACE_MS: String(GRACE_MS) } });

let roomSeq = 0;
/** A fresh room per test (created over REST by the admin). */
async function newRoom(kind: 'meeting' | 'training' = 'meeting'): Promise<string> {
  roomSeq += 1;
  const id = `it-meeting-${roomSeq}`;
  const res = await api(t.url, await login(t.url, 'admin'), '/api/v1/rooms', {
    method: 'POST',
    body: JSON.stringify({ id, title: `测试会议 ${roomSeq}`, kind }),
  });
  expect(res.status).toBe(201);
  return id;
}

type Member = ClientEventResults['room:join'] & { socket: TestClient; sendId?: string; micId?: string };

async function join(username: string, roomId: string, opts: { mic?: boolean; audience?: boolean } = {}) {
  const socket = await t.client(username);
  const joined = await ok(socket, 'room:join', { roomId, ...(opts.audience ? { audience: true } : {}) });
  const member: Member = { socket, ...joined };
  if (opts.mic) {
    const send = await ok(socket, 'transport:create', { direction: 'send' });
    await ok(socket, 'transport:connect', { transportId: send.id, dtlsParameters: FAKE_DTLS });
    member.sendId = send.id;
    member.micId = (await ok(socket, 'producer:create', micProducer(send.id))).producerId;
  }
  return member;
}

/** The node's own view of a peer and of the room's control state. */
const serverPeer = (roomId: string, peerId: string) => t.beacon.node.rooms.get(roomId)?.get(peerId)?.info();
const serverState = (roomId: string) => t.beacon.node.rooms.get(roomId)?.state();
const mediaPaused = (roomId: string, producerId: string | undefined) =>
  t.beacon.node.media.listProducers(roomId).find((p) => p.id === producerId)?.paused;

/** Recording start/stop wait for ffmpeg: a longer ack timeout than `request`'s 5 s. */
function slow<E extends 'recording:start' | 'recording:stop'>(socket: TestClient, event: E) {
  const raw = socket as unknown as Socket;
  return raw.timeout(30_000).emitWithAck(event, {}) as ReturnType<typeof request<E>>;
}

/** Collects every `room:state` a socket receives. */
function states(socket: TestClient): RoomState[] {
  const seen: RoomState[] = [];
  socket.on('room:state', (s) => seen.push(s));
  return seen;
}

describe('permissions', () => {
  it('refuses every chair action of a participant with forbidden and changes nothing', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId, { mic: true });
    const town = await join('lucheng', roomId, { mic: true });
    const duty = await join('duty', roomId, { mic: true });
    expect([chair.self.meetingRole, town.self.meetingRole, duty.self.meetingRole]).toEqual([
      'chair',
      'participant',
      'participant',
    ]);
    await ok(duty.socket, 'speak:request', {});
    const snapshot = () => ({
      state: serverState(roomId),
      peers: [chair, town, duty].map((m) => serverPeer(roomId, m.peerId)),
      paused: [chair, town, duty].map((m) => mediaPaused(roomId, m.micId)),
    });
    const before = snapshot();
    const attempts: [string, unknown][] = [
      ['moderation:mute', { peerId: chair.peerId, kind: 'audio' }],
      ['moderation:unmute', { peerId: duty.peerId }],
      ['moderation:muteAll', {}],
      ['moderation:remove', { peerId: duty.peerId }],
      ['moderation:lock', { locked: true }],
      ['moderation:end', {}],
      ['moderation:setRole', { peerId: town.peerId, role: 'chair' }],
      ['moderation:setMode', { mode: 'broadcast' }],
      ['rollcall:set', { peerId: town.peerId }],
      ['polling:start', { peerIds: [town.peerId, duty.peerId], intervalSeconds: 5 }],
      ['polling:pause', {}],
      ['polling:resume', {}],
      ['polling:stop', {}],
      ['speak:grant', { peerId: duty.peerId }],
      ['speak:deny', { peerId: duty.peerId }],
      ['recording:start', {}],
      ['recording:stop', {}],
    ];
    for (const [event, payload] of attempts) {
      const res = await request(town.socket, event as never, payload);
      expect(res, event).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringContaining(event) },
      });
    }
    expect(snapshot()).toEqual(before);
    // A co-chair may moderate, but not act on the chair nor do chair-only things.
    const admin = await join('admin', roomId);
    expect(admin.self.meetingRole).toBe('cochair');
    expect(await request(admin.socket, 'moderation:mute', { peerId: chair.peerId, kind: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await request(admin.socket, 'moderation:end', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(serverState(roomId)).toEqual(before.state);
  });
});

describe('chair controls', () => {
  it('lock refuses new joiners (not chair accounts); unlock lets them in', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    await ok(chair.socket, 'moderation:lock', { locked: true });
    expect(serverState(roomId)?.locked).toBe(true);
    const duty = await t.client('duty');
    expect(await request(duty, 'room:join', { roomId })).toEqual({
      ok: false,
      error: { code: 'room_locked', message: '会议已锁定 / the meeting is locked' },
    });
    expect(t.beacon.node.rooms.participantCount(roomId)).toBe(1);
    const admin = await join('admin', roomId);
    expect(admin.state.locked).toBe(true);
    await ok(chair.socket, 'moderation:lock', { locked: false });
    expect((await ok(duty, 'room:join', { roomId })).self.meetingRole).toBe('participant');
  });

  it('mute all leaves only the chair unmuted; self-unmute clears it; force-unmute only for townships', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId, { mic: true });
    const town = await join('lucheng', roomId, { mic: true });
    const duty = await join('duty', roomId, { mic: true });
    const town2 = await join('donggua', roomId, { mic: true });
    await ok(town2.socket, 'producer:pause', { producerId: town2.micId });
    expect(serverPeer(roomId, town2.peerId)).toMatchObject({ audioMuted: true, audioMutedBy: 'self' });

    const toldSelf = nextEvent(town.socket, 'peer:updated');
    expect(await ok(chair.socket, 'moderation:muteAll', {})).toEqual({ muted: 3 });
    expect(await toldSelf).toMatchObject({ peerId: town.peerId, audioMuted: true, audioMutedBy: 'chair' });
    for (const m of [town, duty, town2]) {
      expect(serverPeer(roomId, m.peerId)).toMatchObject({ audioMuted: true, audioMutedBy: 'chair' });
      expect(mediaPaused(roomId, m.micId)).toBe(true);
    }
    expect(serverPeer(roomId, chair.peerId)).toMatchObject({ audioMuted: false, audioMutedBy: null });
    expect(mediaPaused(roomId, chair.micId)).toBe(false);

    // Answering after a chair mute is allowed and clears "muted by the chair".
    await ok(duty.socket, 'producer:resume', { producerId: duty.micId });
    expect(serverPeer(roomId, duty.peerId)).toMatchObject({ audioMuted: false, audioMutedBy: null });
    // The chair opens township terminals only.
    expect(await request(chair.socket, 'moderation:unmute', { peerId: duty.peerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('乡镇终端') },
    });
    await ok(chair.socket, 'moderation:unmute', { peerId: town.peerId });
    expect(mediaPaused(roomId, town.micId)).toBe(false);
    expect(serverPeer(roomId, town.peerId)).toMatchObject({ audioMuted: false, audioMutedBy: null });
    // Single mute of a camera-less peer's video: nothing to stop.
    expect(await request(chair.socket, 'moderation:mute', { peerId: town.peerId, kind: 'video' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_state' },
    });
    await ok(chair.socket, 'moderation:mute', { peerId: town.peerId, kind: 'audio' });
    expect(serverPeer(roomId, town.peerId)).toMatchObject({ audioMutedBy: 'chair' });
  });

  it('hands the chair over, promotes the earliest co-chair when the chair leaves', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    const admin = await join('admin', roomId);
    const duty = await join('duty', roomId);
    await ok(chair.socket, 'moderation:setRole', { peerId: duty.peerId, role: 'chair' });
    expect(serverPeer(roomId, duty.peerId)?.meetingRole).toBe('chair');
    expect(serverPeer(roomId, chair.peerId)?.meetingRole).toBe('cochair');
    const updates: { peerId: string; meetingRole: string }[] = [];
    admin.socket.on('peer:updated', (peer) => updates.push(peer));
    await ok(duty.socket, 'room:leave', {});
    // chair (now co-chair) joined before admin: it is the earliest co-chair, and everyone hears it.
    expect(serverPeer(roomId, chair.peerId)?.meetingRole).toBe('chair');
    expect(serverPeer(roomId, admin.peerId)?.meetingRole).toBe('cochair');
    await expect.poll(() => updates.at(-1)).toMatchObject({ peerId: chair.peerId, meetingRole: 'chair' });
  });

  it('removes a participant (who may join again) and ends the meeting for everyone', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    const town = await join('lucheng', roomId);
    const removed = nextEvent(town.socket, 'room:removed');
    const left = nextEvent(chair.socket, 'peer:left');
    await ok(chair.socket, 'moderation:remove', { peerId: town.peerId });
    expect(await removed).toMatchObject({ reason: expect.any(String) });
    expect(await left).toEqual({ peerId: town.peerId });
    expect(await request(town.socket, 'speak:request', {})).toMatchObject({
      ok: false,
      error: { code: 'not_in_room' },
    });
    await ok(town.socket, 'room:join', { roomId });

    const { store } = t.beacon.node;
    const meetingId = await store.meetings.current(roomId);
    expect(meetingId).toEqual(expect.any(Number));
    const ended = Promise.all([nextEvent(chair.socket, 'room:ended'), nextEvent(town.socket, 'room:ended')]);
    await ok(chair.socket, 'moderation:end', {});
    expect(await ended).toEqual([{ by: '市领导' }, { by: '市领导' }]);
    expect(t.beacon.node.rooms.get(roomId)).toBeUndefined();
    // The meeting journal writes after the room's events.
    await expect.poll(async () => (await store.meetings.get(meetingId ?? -1))?.endedAt).toEqual(expect.any(String));
    await ok(town.socket, 'room:join', { roomId });
    await expect.poll(() => store.meetings.current(roomId)).toEqual(expect.any(Number));
    expect(await store.meetings.current(roomId)).not.toBe(meetingId);
  });
});

describe('main view', () => {
  it('roll call spotlights a peer and opens its mic; polling rotates every 5 s', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId, { mic: true });
    const town = await join('lucheng', roomId, { mic: true });
    const town2 = await join('donggua', roomId, { mic: true });
    await ok(town.socket, 'producer:pause', { producerId: town.micId });
    expect(mediaPaused(roomId, town.micId)).toBe(true);
    const seen = states(town2.socket);
    await ok(chair.socket, 'rollcall:set', { peerId: town.peerId });
    expect(mediaPaused(roomId, town.micId)).toBe(false);
    expect(serverPeer(roomId, town.peerId)).toMatchObject({ audioMuted: false });
    await expect.poll(() => seen.at(-1)).toMatchObject({ spotlightPeerId: town.peerId, spotlightReason: 'rollcall' });
    await ok(chair.socket, 'rollcall:set', { peerId: null });
    expect(serverState(roomId)).toMatchObject({ spotlightPeerId: null, spotlightReason: null });

    await ok(chair.socket, 'polling:start', { peerIds: [town.peerId, town2.peerId], intervalSeconds: 5 });
    expect(serverState(roomId)).toMatchObject({ spotlightPeerId: town.peerId, spotlightReason: 'polling' });
    await expect.poll(() => serverState(roomId)?.spotlightPeerId, { timeout: 7_000, interval: 200 }).toBe(town2.peerId);
    await ok(chair.socket, 'polling:pause', {});
    expect(serverState(roomId)?.polling).toMatchObject({ paused: true, index: 1, intervalSeconds: 5 });
    await ok(chair.socket, 'polling:stop', {});
    expect(serverState(roomId)).toMatchObject({ polling: null, spotlightPeerId: null });
    expect(await request(chair.socket, 'polling:resume', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_state' },
    });
    const spots = seen.filter((s) => s.spotlightReason === 'polling').map((s) => s.spotlightPeerId);
    expect(spots).toEqual(expect.arrayContaining([town.peerId, town2.peerId]));
  });

  it('speak requests queue in order; grant opens the mic and spotlights, deny tells the requester', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    const town = await join('lucheng', roomId);
    const town2 = await join('donggua', roomId, { mic: true });
    await ok(town2.socket, 'producer:pause', { producerId: town2.micId });
    await ok(town.socket, 'speak:request', {});
    await ok(town2.socket, 'speak:request', {});
    await ok(town.socket, 'speak:request', {});
    expect(serverState(roomId)?.speakQueue.map((r) => r.peerId)).toEqual([town.peerId, town2.peerId]);

    const granted = nextEvent(town2.socket, 'speak:result');
    await ok(chair.socket, 'speak:grant', { peerId: town2.peerId });
    expect(await granted).toEqual({ granted: true });
    expect(mediaPaused(roomId, town2.micId)).toBe(false);
    expect(serverState(roomId)).toMatchObject({ spotlightPeerId: town2.peerId, spotlightReason: 'speak' });
    expect(serverState(roomId)?.speakQueue.map((r) => r.peerId)).toEqual([town.peerId]);

    const denied = nextEvent(town.socket, 'speak:result');
    await ok(chair.socket, 'speak:deny', { peerId: town.peerId });
    expect(await denied).toEqual({ granted: false });
    expect(serverState(roomId)?.speakQueue).toEqual([]);
    expect(await request(chair.socket, 'speak:deny', { peerId: town.peerId })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('chat and attendance', () => {
  it('delivers chat to all, returns it to a later join and over REST', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    const town = await join('lucheng', roomId);
    const got = Promise.all([nextEvent(chair.socket, 'chat:message'), nextEvent(town.socket, 'chat:message')]);
    const sent = await ok(town.socket, 'chat:send', { text: '  鹿城镇收到  ' });
    expect(sent).toMatchObject({ roomId, userId: 'u-lucheng', displayName: '鹿城镇', text: '鹿城镇收到' });
    expect(await got).toEqual([sent, sent]);
    const later = await join('duty', roomId);
    expect(later.chat).toEqual([sent]);
    const res = await api(t.url, await login(t.url, 'zixi'), `/api/v1/rooms/${roomId}/chat`);
    expect(await res.json()).toEqual([sent]);
  });

  it('records attendance per meeting, as JSON and as an Excel-friendly CSV', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    const town = await join('lucheng', roomId);
    await ok(town.socket, 'room:leave', {});
    await ok(town.socket, 'room:join', { roomId });
    await ok(chair.socket, 'moderation:end', {});

    const token = await login(t.url, 'duty');
    const meetings = (await (await api(t.url, token, `/api/v1/rooms/${roomId}/meetings`)).json()) as {
      id: number;
      endedAt: string | null;
    }[];
    expect(meetings).toHaveLength(1);
    const [meeting] = meetings;
    expect(meeting?.endedAt).toEqual(expect.any(String));
    const rows = (await (await api(t.url, token, `/api/v1/meetings/${meeting?.id}/attendance`)).json()) as {
      displayName: string;
      intervals: { leftAt: string | null }[];
      totalMinutes: number;
    }[];
    expect(rows.map((r) => [r.displayName, r.intervals.length])).toEqual([
      ['市领导', 1],
      ['鹿城镇', 2],
    ]);
    expect(rows.every((r) => r.intervals.every((i) => i.leftAt !== null) && r.totalMinutes >= 0)).toBe(true);

    const csv = await api(t.url, token, `/api/v1/meetings/${meeting?.id}/attendance.csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text.split('\r\n')[0]).toBe('姓名,乡镇,入会时间,离会时间,时长(分钟)');
    expect(text).toMatch(/^鹿城镇,鹿城镇,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d; /m);
    expect((await api(t.url, await login(t.url, 'lucheng'), `/api/v1/meetings/${meeting?.id}/attendance`)).status).toBe(
      403,
    );
  });
});

describe('broadcast (training) mode', () => {
  it('lets only the presenter send; audience peers get no send transport and are not announced to each other', async () => {
    const roomId = await newRoom('training');
    const chair = await join('chair', roomId, { mic: true });
    expect(chair.state).toMatchObject({ mode: 'broadcast', presenterPeerId: null });
    const viewer = await join('lucheng', roomId);
    expect(viewer.self.meetingRole).toBe('audience');
    expect(await request(viewer.socket, 'transport:create', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await ok(viewer.socket, 'transport:create', { direction: 'recv' });
    const duty = await join('duty', roomId);
    // Staff are told about the audience (nobody watches unseen by the city); other audience members are not.
    expect(duty.peers.map((p) => p.peerId).sort()).toEqual([chair.peerId, viewer.peerId].sort());
    expect(await request(duty.socket, 'transport:create', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    // Audience joins reach the chair, not the other audience members.
    let viewerHeard = 0;
    viewer.socket.on('peer:joined', () => {
      viewerHeard += 1;
    });
    const chairHeard = nextEvent(chair.socket, 'peer:joined');
    const viewer2 = await join('donggua', roomId, { audience: true });
    expect(await chairHeard).toMatchObject({ peerId: viewer2.peerId, meetingRole: 'audience' });

    // Back to a meeting: the duty officer may send; broadcast again closes its mic.
    await ok(chair.socket, 'moderation:setMode', { mode: 'meeting' });
    const send = await ok(duty.socket, 'transport:create', { direction: 'send' });
    const mic = await ok(duty.socket, 'producer:create', micProducer(send.id));
    const closed = nextEvent(duty.socket, 'peer:updated');
    await ok(chair.socket, 'moderation:setMode', { mode: 'broadcast' });
    expect(await closed).toMatchObject({ peerId: duty.peerId, audioMuted: true });
    expect(t.beacon.node.media.listProducers(roomId).map((p) => p.id)).not.toContain(mic.producerId);
    expect(await request(duty.socket, 'producer:create', micProducer(send.id))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // A named presenter may send; the chair then may not.
    await ok(chair.socket, 'moderation:setMode', { mode: 'broadcast', presenterPeerId: duty.peerId });
    await ok(duty.socket, 'producer:create', micProducer(send.id));
    expect(t.beacon.node.media.listProducers(roomId).map((p) => p.peerId)).toEqual([duty.peerId]);
    expect(viewerHeard).toBe(0);
  });
});

describe('reconnect', () => {
  it('keeps a dropped peer as reconnecting, resumes it with its token, or lets it go after the grace', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId);
    const town = await join('lucheng', roomId);
    await ok(town.socket, 'transport:create', { direction: 'recv' });
    const routerCaps = t.beacon.node.rooms.get(roomId)?.routerRtpCapabilities;
    await ok(town.socket, 'room:ready', { rtpCapabilities: routerCaps });

    // The network drops (no deliberate disconnect): others see `reconnecting`, not a leave.
    let leftEvents = 0;
    chair.socket.on('peer:left', () => {
      leftEvents += 1;
    });
    const reconnecting = nextEvent(chair.socket, 'peer:updated');
    (town.socket as unknown as Socket).io.engine.close();
    expect(await reconnecting).toMatchObject({ peerId: town.peerId, connection: 'reconnecting' });

    // Meanwhile the chair starts its mic: the consumer for the township is held for it.
    const send = await ok(chair.socket, 'transport:create', { direction: 'send' });
    const mic = await ok(chair.socket, 'producer:create', micProducer(send.id));

    const back = await t.client('lucheng');
    // Wrong token, or someone else's socket: refused.
    expect(
      await request(back, 'room:resume', { roomId, peerId: town.peerId, resumeToken: 'x'.repeat(43) }),
    ).toMatchObject({ ok: false, error: { code: 'resume_failed' } });
    const other = await t.client('donggua');
    expect(
      await request(other, 'room:resume', { roomId, peerId: town.peerId, resumeToken: town.resumeToken }),
    ).toMatchObject({ ok: false, error: { code: 'resume_failed' } });

    const held = nextEvent(back, 'consumer:new');
    const connected = nextEvent(chair.socket, 'peer:updated');
    const resumed = await ok(back, 'room:resume', { roomId, peerId: town.peerId, resumeToken: town.resumeToken });
    expect(resumed).toMatchObject({ peerId: town.peerId, mediaLost: false });
    expect(resumed.peers).toEqual([expect.objectContaining({ peerId: chair.peerId })]);
    expect(await held).toMatchObject({ producerId: mic.producerId, peerId: chair.peerId });
    expect(await connected).toMatchObject({ peerId: town.peerId, connection: 'connected' });
    const recvId = t.beacon.node.rooms.get(roomId)?.get(town.peerId)?.transports.recv;
    expect(await ok(back, 'transport:restartIce', { transportId: recvId })).toMatchObject({
      iceParameters: { usernameFragment: expect.any(String), password: expect.any(String) },
    });
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 300));
    expect(leftEvents).toBe(0);
    expect(serverPeer(roomId, town.peerId)?.connection).toBe('connected');

    // Dropped again and never back: a normal leave once the grace runs out.
    const left = nextEvent(chair.socket, 'peer:left', GRACE_MS + 3_000);
    (back as unknown as Socket).io.engine.close();
    expect(await left).toEqual({ peerId: town.peerId });
    const late = await t.client('lucheng');
    expect(
      await request(late, 'room:resume', { roomId, peerId: town.peerId, resumeToken: town.resumeToken }),
    ).toMatchObject({ ok: false, error: { code: 'resume_failed' } });
    const meetingId = (await t.beacon.node.store.meetings.current(roomId)) ?? -1;
    // The meeting journal writes after the room's events.
    await expect
      .poll(async () => {
        const rows = await t.beacon.node.store.attendance.listByMeeting(meetingId);
        return rows.find((r) => r.userId === 'u-lucheng')?.intervals;
      })
      .toEqual([{ joinedAt: expect.any(String), leftAt: expect.any(String) }]);
  });
});

describe('receive side', () => {
  it('pauses, caps layers and switches to audio only on the caller’s own consumers', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId, { mic: true });
    const town = await join('lucheng', roomId);
    await ok(town.socket, 'transport:create', { direction: 'recv' });
    const consumer = nextEvent(town.socket, 'consumer:new');
    await ok(town.socket, 'room:ready', {
      rtpCapabilities: chair.routerRtpCapabilities,
    });
    const { consumerId } = await consumer;
    await ok(town.socket, 'consumer:resume', { consumerId });
    await ok(town.socket, 'consumer:pause', { consumerId });
    await ok(town.socket, 'consumer:setLayers', { consumerId, spatialLayer: 0 });
    await ok(town.socket, 'receive:settings', { audioOnly: true, maxSpatialLayer: 0 });
    expect(await request(chair.socket, 'consumer:pause', { consumerId })).toMatchObject({
      ok: false,
      error: { code: 'consumer_not_found' },
    });
  });
});

describe('recording', () => {
  it('starts and stops for the chair only and lists the recording; the file needs a city token', async () => {
    const roomId = await newRoom();
    const chair = await join('chair', roomId, { mic: true });
    const started = await slow(chair.socket, 'recording:start');
    if (!started.ok) {
      // No ffmpeg on this machine: the refusal is coded and the state unchanged.
      expect(started.error.code).toBe('recording_failed');
      expect(serverState(roomId)?.recording).toBeNull();
      return;
    }
    expect(serverState(roomId)?.recording).toMatchObject({ recordingId: started.data.recordingId });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Stopping waits for the finished file (ffmpeg closing it), which can take longer than the usual 5 s.
    const stopped = await slow(chair.socket, 'recording:stop');
    if (!stopped.ok) expect(stopped.error.code).toBe('recording_failed');
    expect(serverState(roomId)?.recording).toBeNull();
    const token = await login(t.url, 'duty');
    const list = (await (await api(t.url, token, `/api/v1/rooms/${roomId}/recordings`)).json()) as {
      id: string;
      status: string;
    }[];
    expect(list.map((r) => r.id)).toEqual([started.data.recordingId]);
    expect(list[0]?.status).toBe(stopped.ok ? 'ready' : 'failed');
    const file = `/api/v1/recordings/${started.data.recordingId}/file`;
    expect((await fetch(`${t.url}${file}`)).status).toBe(401);
    const township = await login(t.url, 'lucheng');
    expect((await api(t.url, township, file)).status).toBe(403);
    const link = `/api/v1/recordings/${started.data.recordingId}/link`;
    expect((await api(t.url, township, link, { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await api(t.url, token, '/api/v1/recordings/nope/file')).status).toBe(404);
    expect((await api(t.url, token, '/api/v1/recordings/nope/link', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('keeps a recording whose room closed while recording: ready with its size, not failed', async () => {
    const roomId = await newRoom();
    // No producer: the recording is the filler (black, silence), which ffmpeg writes without any sender.
    const chair = await join('chair', roomId);
    const started = await slow(chair.socket, 'recording:start');
    if (!started.ok) return; // no ffmpeg here: the test above checks the coded refusal
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // The last one leaves: the room closes, and the media server finishes the file in the background.
    await ok(chair.socket, 'room:leave', {});
    const token = await login(t.url, 'duty');
    const recording = await waitFor(
      'the cut recording to be finished in the store',
      async () =>
        ((await (await api(t.url, token, `/api/v1/rooms/${roomId}/recordings`)).json()) as RecordingView[])[0],
      (r) => r !== undefined && r.status !== 'recording',
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(recording).toMatchObject({ id: started.data.recordingId, status: 'ready' });
    expect(recording?.size).toBeGreaterThan(0);
  });

  it('streams a finished recording with Range support through a signed link or to a bearer; never for a token in the URL', async () => {
    // A finished file as the media node leaves it (no RTP flows in this suite, so none is recorded here).
    const roomId = await newRoom();
    const filePath = path.join(t.beacon.dataDir, 'recordings', 'fixture.webm');
    await mkdir(path.dirname(filePath), { recursive: true });
    await writeFile(filePath, Buffer.alloc(1_000, 7));
    const { recordings } = t.beacon.node.store;
    for (const id of ['rec-fixture', 'rec-other']) {
      await recordings.create({ id, roomId, meetingId: null, startedAt: new Date().toISOString(), file: filePath });
      await recordings.finish(id, {
        status: 'ready',
        endedAt: new Date().toISOString(),
        durationMs: 2_000,
        size: 1_000,
      });
    }
    const token = await login(t.url, 'chair');
    const issued = await api(t.url, token, '/api/v1/recordings/rec-fixture/link', { method: 'POST', body: '{}' });
    expect(issued.status).toBe(200);
    const { url, expiresAt } = (await issued.json()) as { url: string; expiresAt: string };
    expect(url).toMatch(/^\/api\/v1\/recordings\/rec-fixture\/file\?expires=\d+&sig=[\w-]{43}$/);
    expect(url).not.toContain(token);
    // A few minutes, not a session's lifetime.
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);

    const ranged = await fetch(`${t.url}${url}`, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toMatch(/video\/webm/);
    expect(ranged.headers.get('content-range')).toBe('bytes 0-99/1000');
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);

    // Scoped to one recording, unforgeable, and a session token in the query is refused rather than read.
    const otherRecording = url.replace('rec-fixture', 'rec-other');
    const forged = url.replace(/sig=[\w-]{4}/, 'sig=AAAA');
    for (const refused of [otherRecording, forged, `/api/v1/recordings/rec-fixture/file?token=${token}`]) {
      const res = await fetch(`${t.url}${refused}`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }

    const download = (await (
      await api(t.url, token, '/api/v1/recordings/rec-fixture/link', { method: 'POST', body: '{"download":true}' })
    ).json()) as { url: string };
    const saved = await fetch(`${t.url}${download.url}`);
    expect(saved.status).toBe(200);
    expect(saved.headers.get('content-disposition')).toMatch(/attachment/);
    const whole = await api(t.url, token, '/api/v1/recordings/rec-fixture/file?download=1');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-disposition')).toMatch(/attachment/);

    // Who watched and who downloaded, in the audit.
    const audit = (await t.beacon.node.store.audit.list({ limit: 20 })).filter((e) => e.target === 'rec-fixture');
    expect(audit.map((e) => [e.action, (e.detail as { via: string }).via]).reverse()).toEqual([
      ['recording.view', 'link'],
      ['recording.download', 'link'],
      ['recording.download', 'bearer'],
    ]);
    const views = (await (await api(t.url, token, `/api/v1/rooms/${roomId}/recordings`)).json()) as unknown[];
    expect(views).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'rec-fixture', status: 'ready', durationMs: 2_000, size: 1_000 }),
      ]),
    );
    expect(views).toHaveLength(2);
    expect(JSON.stringify(views)).not.toContain(filePath);
  });
});
