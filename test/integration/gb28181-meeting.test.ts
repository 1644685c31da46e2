/**
 * A GB/T 28181 camera as a participant of an ordinary meeting, against the device simulator over real
 * UDP and a real mediasoup worker: the chair lists online channels, adds one; everyone in the room sees
 * a peer named after the camera (device `camera`, video only) and gets a consumer of its H.264; the
 * camera's live view is shared with the wall; the chair's removal takes the tile away and ends the live
 * view (BYE to the device) when nothing else uses it. Bad input (not the chair, unknown or offline
 * channel, a room not running) gets a coded error and changes nothing. Both moves are audited.
 */
import type { CameraView, PeerInfo } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GbDevice } from '../src/gb28181/GbDevice.ts';
import { h264Clip } from '../src/gb28181/h264Clip.ts';
import { waitFor } from '../src/waitFor.ts';
import { api, login, nextEvent, ok, useTestNode } from './helpers.ts';

const t = useTestNode({
  env: {
    BEACON_GB28181: 'on',
    BEACON_GB28181_PORT: '0',
    BEACON_GB28181_HOST: '127.0.0.1',
    BEACON_GB28181_KEEPALIVE_S: '1',
  },
});
const DEVICE = '34020000001320000021';
const CHANNEL = '34020000001310000021';
const OFFLINE_CHANNEL = '34020000001310000022';
const tokens: Record<string, string> = {};
let sim: GbDevice;
const ROOM = 'it-camera-meeting';

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
}
const codeOf = (body: unknown) => (body as { error?: { code?: string } } | null)?.error?.code;
const add = (user: string, channelId: string, roomId = ROOM) =>
  call(user, `/rooms/${roomId}/cameras`, { method: 'POST', body: JSON.stringify({ channelId }) });
const auditActions = async () =>
  (await t.beacon.node.store.audit.list({ limit: 200 }))
    .map((e) => e.action)
    .filter((a) => a.startsWith('meeting.camera'));

describe('a camera as a meeting participant', () => {
  beforeAll(async () => {
    for (const user of ['admin', 'chair', 'lucheng', 'duty']) tokens[user] = await login(t.url, user);
    await call('admin', '/admin/cameras', {
      method: 'POST',
      body: JSON.stringify({ id: DEVICE, name: '鹿城 NVR', password: 'camera-secret-21' }),
    });
    const cameras = t.beacon.node.cameras;
    if (!cameras) throw new Error('GB/T 28181 is off');
    sim = new GbDevice({
      deviceId: DEVICE,
      password: 'camera-secret-21',
      realm: '3402000000',
      serverId: '34020000002000000001',
      platform: { host: '127.0.0.1', port: cameras.port },
      channels: [
        { id: CHANNEL, name: '北门广场' },
        { id: OFFLINE_CHANNEL, name: '停用的摄像机', status: 'OFF' },
      ],
      keepaliveMs: 1000,
      clip: await h264Clip({ seconds: 2 }),
    });
    await sim.open();
    expect(await sim.register()).toBe(200);
    sim.startKeepalives();
    await waitFor('the catalog', async () => (await cameras.cameras()).length === 2, Boolean, { timeoutMs: 10_000 });
    const res = await api(t.url, tokens.admin, '/api/v1/rooms', {
      method: 'POST',
      body: JSON.stringify({ id: ROOM, title: '防汛会商', kind: 'meeting' }),
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('adds the camera for everyone, refuses bad input, and removes it with the live view', async () => {
    // Not running yet: nothing to add to.
    expect(codeOf((await add('chair', CHANNEL)).body)).toBe('room_not_found');
    const chair = await t.client('chair');
    const chairJoin = await ok(chair, 'room:join', { roomId: ROOM });
    expect(chairJoin.self.meetingRole).toBe('chair');
    const town = await t.client('lucheng');
    await ok(town, 'room:join', { roomId: ROOM });
    await ok(town, 'transport:create', { direction: 'recv' });
    const routerCaps = t.beacon.node.rooms.get(ROOM)?.routerRtpCapabilities;
    await ok(town, 'room:ready', { rtpCapabilities: routerCaps });

    const list = await call('chair', `/rooms/${ROOM}/cameras`);
    const available = (list.body as { available: CameraView[] }).available;
    expect(available.map((c) => c.channelId)).toEqual([CHANNEL]);

    // Bad input changes nothing.
    expect(codeOf((await add('lucheng', CHANNEL)).body)).toBe('forbidden');
    expect(codeOf((await call('lucheng', `/rooms/${ROOM}/cameras`)).body)).toBe('forbidden');
    expect(codeOf((await add('chair', '34020000001310009999')).body)).toBe('not_found');
    expect(codeOf((await add('chair', OFFLINE_CHANNEL)).body)).toBe('terminal_offline');
    expect(codeOf((await add('chair', '12345')).body)).toBe('bad_request');
    expect(t.beacon.node.rooms.get(ROOM)?.participants().length).toBe(2);
    expect(await t.beacon.node.cameras?.liveView(CHANNEL)).toBeNull();
    expect(await auditActions()).toEqual([]);

    const joined = nextEvent(town, 'peer:joined', 10_000);
    const consumer = nextEvent(town, 'consumer:new', 10_000);
    const added = await add('chair', CHANNEL);
    expect(added.status).toBe(201);
    const peer: PeerInfo = await joined;
    expect(peer).toMatchObject({ displayName: '北门广场', device: 'camera', audioMuted: true });
    // Its video producer comes right after the join: a live tile without audio.
    expect(t.beacon.node.rooms.get(ROOM)?.get(peer.peerId)?.info()).toMatchObject({
      audioMuted: true,
      videoMuted: false,
    });
    expect(await consumer).toMatchObject({ peerId: peer.peerId, kind: 'video', source: 'camera' });
    const meetingProducers = t.beacon.node.media.listProducers(ROOM).filter((p) => p.peerId === peer.peerId);
    expect(meetingProducers.map((p) => p.kind)).toEqual(['video']);
    const live = await t.beacon.node.cameras?.liveView(CHANNEL);
    await waitFor('frames forwarded', () => (live?.framesForwarded ?? 0) > 10, Boolean, { timeoutMs: 15_000 });
    // Adding it again is the same tile, not a second one.
    expect((await add('chair', CHANNEL)).body).toEqual(added.body);
    expect(await auditActions()).toEqual(['meeting.camera_added']);

    // The wall opens and closes the same camera: the meeting keeps it.
    expect((await call('duty', `/cameras/${CHANNEL}/view`, { method: 'POST' })).status).toBe(200);
    expect(await t.beacon.node.cameras?.liveView(CHANNEL)).toBe(live);
    expect((await call('duty', `/cameras/${CHANNEL}/view`, { method: 'DELETE' })).status).toBe(204);
    expect(sim.streaming).toBe(true);
    expect(t.beacon.node.rooms.get(ROOM)?.get(peer.peerId)).toBeDefined();

    expect(codeOf((await call('lucheng', `/rooms/${ROOM}/cameras/${CHANNEL}`, { method: 'DELETE' })).body)).toBe(
      'forbidden',
    );
    const left = nextEvent(town, 'peer:left', 10_000);
    expect((await call('chair', `/rooms/${ROOM}/cameras/${CHANNEL}`, { method: 'DELETE' })).status).toBe(204);
    expect(await left).toEqual({ peerId: peer.peerId });
    expect(t.beacon.node.media.listProducers(ROOM).filter((p) => p.peerId === peer.peerId)).toEqual([]);
    await waitFor('the device stops sending', () => !sim.streaming, Boolean, { timeoutMs: 5_000 });
    expect(await t.beacon.node.cameras?.liveView(CHANNEL)).toBeNull();
    expect(await auditActions()).toEqual(['meeting.camera_removed', 'meeting.camera_added']);
    expect(codeOf((await call('chair', `/rooms/${ROOM}/cameras/${CHANNEL}`, { method: 'DELETE' })).body)).toBe(
      'not_found',
    );
    await ok(town, 'room:leave', {});
    await ok(chair, 'room:leave', {});
  });

  it('takes the camera out when the last person leaves the meeting', async () => {
    const chair = await t.client('chair');
    await ok(chair, 'room:join', { roomId: ROOM });
    expect((await add('chair', CHANNEL)).status).toBe(201);
    await ok(chair, 'room:leave', {});
    await waitFor('the device stops sending', () => !sim.streaming, Boolean, { timeoutMs: 10_000 });
    expect(t.beacon.node.rooms.get(ROOM)).toBeUndefined();
  });

  it('a camera that goes offline leaves the meeting by itself (audited as the system)', async () => {
    const chair = await t.client('chair');
    await ok(chair, 'room:join', { roomId: ROOM });
    const peer = (await add('chair', CHANNEL)).body as { peerId: string };
    const left = nextEvent(chair, 'peer:left', 15_000);
    sim.stopKeepalives();
    expect(await left).toEqual({ peerId: peer.peerId });
    await waitFor(
      'the live view ended',
      async () => (await t.beacon.node.cameras?.liveView(CHANNEL)) ?? null,
      (v) => v === null,
      {
        timeoutMs: 5_000,
      },
    );
    // Newest first: the latest removal is the camera's own leaving.
    const last = (await t.beacon.node.store.audit.list({ limit: 50 })).find(
      (e) => e.action === 'meeting.camera_removed',
    );
    expect(last).toMatchObject({ action: 'meeting.camera_removed', actorId: 'system', target: ROOM });
    await ok(chair, 'room:leave', {});
  });
});
