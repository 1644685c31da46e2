/**
 * Beacon as a GB/T 28181 platform against the device simulator over real UDP:
 * an admin registers the device; a wrong password is refused (403) and the
 * right one registers it; the platform asks for the catalog and stores the
 * three channels from two pages; staff see them with positions; PTZ arrives
 * with the bytes the standard defines; a live view gets PS from the device
 * and forwards H.264 frames into the room's producer; an H.265 camera is hung
 * up with `codec_unsupported`; bad MANSCDP bodies get 400 and change nothing;
 * a device that stops its keepalives goes offline after three intervals.
 */
import type { CameraView } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GbDevice } from '../src/gb28181/GbDevice.ts';
import { type ClipFrame, h264Clip } from '../src/gb28181/h264Clip.ts';
import { waitFor } from '../src/waitFor.ts';
import { api, login, nextEvent, useTestNode } from './helpers.ts';

const t = useTestNode({
  env: {
    BEACON_GB28181: 'on',
    BEACON_GB28181_PORT: '0',
    BEACON_GB28181_HOST: '127.0.0.1',
    BEACON_GB28181_KEEPALIVE_S: '1',
    BEACON_GB28181_MEDIA_TIMEOUT_S: '2',
  },
});
const tokens: Record<string, string> = {};
const DEVICE = '34020000001320000001';
const REALM = '3402000000';
const CHANNELS = [
  { id: '34020000001310000001', name: '鹿城镇路口', longitude: 101.54, latitude: 25.04 },
  { id: '34020000001310000002', name: '龙川江大桥', longitude: 101.56, latitude: 25.03 },
  { id: '34020000001310000003', name: '东瓜镇水库' },
];
const devices: GbDevice[] = [];
let clip: ClipFrame[];

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
}
const errorOf = (body: unknown) => (body as { error?: { code?: string } }).error;

async function device(overrides: Partial<ConstructorParameters<typeof GbDevice>[0]> = {}): Promise<GbDevice> {
  const cameras = t.beacon.node.cameras;
  if (!cameras) throw new Error('GB/T 28181 is off');
  const sim = new GbDevice({
    deviceId: DEVICE,
    password: 'camera-secret-1',
    realm: REALM,
    serverId: '34020000002000000001',
    platform: { host: '127.0.0.1', port: cameras.port },
    channels: CHANNELS,
    keepaliveMs: 1000,
    pageSize: 2,
    clip,
    ...overrides,
  });
  await sim.open();
  devices.push(sim);
  return sim;
}

describe('GB/T 28181 platform', () => {
  let sim: GbDevice;
  beforeAll(async () => {
    for (const user of ['admin', 'duty', 'lucheng']) tokens[user] = await login(t.url, user);
    clip = await h264Clip({ seconds: 2 });
  });
  afterAll(async () => {
    for (const d of devices) await d.close();
  });

  it('registers a device with digest auth and stores its paged catalog', async () => {
    const body = { id: DEVICE, name: '鹿城镇 NVR', password: 'camera-secret-1', townshipId: 'lucheng' };
    expect(
      errorOf((await call('duty', '/admin/cameras', { method: 'POST', body: JSON.stringify(body) })).body)?.code,
    ).toBe('forbidden');
    const bad = await call('admin', '/admin/cameras', {
      method: 'POST',
      body: JSON.stringify({ ...body, id: '3402' }),
    });
    expect(errorOf(bad.body)?.code).toBe('bad_request');
    expect((await call('admin', '/admin/cameras', { method: 'POST', body: JSON.stringify(body) })).status).toBe(201);

    sim = await device();
    expect(await sim.register(3600, 'wrong-password')).toBe(403);
    const staff = await t.client('duty');
    const updated = nextEvent(staff, 'camera:updated', 10_000);
    expect(await sim.register()).toBe(200);
    sim.startKeepalives();
    const first = await updated;
    expect(first.online).toBe(true);
    await waitFor(
      'three channels stored',
      async () => ((await call('duty', '/cameras')).body as CameraView[]).length === 3,
      Boolean,
      {
        timeoutMs: 10_000,
      },
    );
    const cameras = (await call('duty', '/cameras')).body as CameraView[];
    expect(cameras.map((c) => c.channelId).sort()).toEqual(CHANNELS.map((c) => c.id));
    expect(cameras.find((c) => c.channelId === CHANNELS[0]?.id)).toMatchObject({
      name: '鹿城镇路口',
      townshipId: 'lucheng',
      lat: 25.04,
      lon: 101.54,
      online: true,
    });
    // 0,0 means "not set" to devices: no position rather than a point off Africa.
    expect(cameras.find((c) => c.channelId === CHANNELS[2]?.id)).toMatchObject({ lat: null, lon: null });
    expect(errorOf((await call('lucheng', '/cameras')).body)?.code).toBe('forbidden');
    const admin = (await call('admin', '/admin/cameras')).body as { online: boolean; channels: number }[];
    expect(admin[0]).toMatchObject({ online: true, channels: 3 });
    expect(JSON.stringify(admin)).not.toContain('camera-secret-1');
  });

  it('sends PTZ commands with the standard bytes', async () => {
    const channel = CHANNELS[0]?.id;
    const right = await call('duty', `/cameras/${channel}/ptz`, {
      method: 'POST',
      body: JSON.stringify({ action: 'move', pan: 1, speed: 128 }),
    });
    // A5 0F 01, instruction 01 (right), pan speed 80, tilt 00, zoom 00, checksum (sum of the seven) mod 256.
    expect(right.body).toEqual({ command: 'A50F010180000036' });
    await call('duty', `/cameras/${channel}/ptz`, {
      method: 'POST',
      body: JSON.stringify({ action: 'presetCall', preset: 3 }),
    });
    await call('duty', `/cameras/${channel}/ptz`, { method: 'POST', body: JSON.stringify({ action: 'stop' }) });
    await waitFor('three PTZ commands', () => sim.ptzCommands.length === 3, Boolean, { timeoutMs: 5_000 });
    expect(sim.ptzCommands).toEqual(['A50F010180000036', 'A50F01820003003A', 'A50F0100000000B5']);
    const refused = await call('duty', `/cameras/${channel}/ptz`, {
      method: 'POST',
      body: JSON.stringify({ action: 'presetCall', preset: 0 }),
    });
    expect(errorOf(refused.body)?.code).toBe('bad_request');
    expect(sim.ptzCommands.length).toBe(3);
  });

  it('forwards the live view PS as H.264 frames into the camera room', async () => {
    const channel = CHANNELS[1]?.id as string;
    const view = await call('duty', `/cameras/${channel}/view`, { method: 'POST' });
    expect(view.body).toEqual({ roomId: `cam-${channel}` });
    const live = await t.beacon.node.cameras?.liveView(channel);
    await waitFor('frames forwarded', () => (live?.framesForwarded ?? 0) > 10, Boolean, { timeoutMs: 15_000 });
    expect(sim.streaming).toBe(true);
    const room = t.beacon.node.rooms.get(`cam-${channel}`);
    expect(room?.producers().map((p) => ({ kind: p.kind, source: p.source }))).toEqual([
      { kind: 'video', source: 'camera' },
    ]);
    expect((await call('duty', `/cameras/${channel}/view`, { method: 'DELETE' })).status).toBe(204);
    await waitFor('the device stops sending', () => !sim.streaming, Boolean, { timeoutMs: 5_000 });
    expect(t.beacon.node.rooms.get(`cam-${channel}`)?.producers() ?? []).toEqual([]);
  });

  it('takes the live view over TCP (the platform listens, the device connects)', async () => {
    const channel = CHANNELS[2]?.id as string;
    const view = await call('duty', `/cameras/${channel}/view?transport=tcp`, { method: 'POST' });
    expect(view.body).toEqual({ roomId: `cam-${channel}` });
    const live = await t.beacon.node.cameras?.liveView(channel);
    await waitFor('frames forwarded over TCP', () => (live?.framesForwarded ?? 0) > 10, Boolean, { timeoutMs: 15_000 });
    expect(sim.mediaTransport).toBe('tcp');
    await call('duty', `/cameras/${channel}/view`, { method: 'DELETE' });
    await waitFor('the device stops sending', () => !sim.streaming, Boolean, { timeoutMs: 5_000 });
    expect(
      errorOf((await call('duty', `/cameras/${channel}/view?transport=sctp`, { method: 'POST' })).body)?.code,
    ).toBe('bad_request');
  });

  it('refuses bad MANSCDP bodies with 400 and keeps the device online', async () => {
    const notXml = await sim.message(Buffer.from('<Notify><CmdType>Keepalive'));
    expect(notXml.start).toBe('SIP/2.0 400 manscdp_not_xml');
    // GB2312 bytes without a declaration are not UTF-8.
    const { default: iconv } = await import('iconv-lite');
    const undeclared = iconv.encode(
      `<Notify><CmdType>Keepalive</CmdType><SN>9</SN><DeviceID>${DEVICE}</DeviceID><Info>摄像头</Info></Notify>`,
      'gb18030',
    );
    expect((await sim.message(undeclared)).start).toBe('SIP/2.0 400 manscdp_charset');
    const koi = Buffer.from('<?xml version="1.0" encoding="KOI8-R"?><Notify/>');
    expect((await sim.message(koi)).start).toBe('SIP/2.0 400 manscdp_charset');
    const shortId = Buffer.from('<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>3402</DeviceID></Notify>');
    expect((await sim.message(shortId)).start).toBe('SIP/2.0 400 bad_device_id');
    expect(t.beacon.node.cameras?.isOnline(DEVICE)).toBe(true);
  });

  it('hangs up an H.265 camera with codec_unsupported', async () => {
    const hevcId = '34020000001320000009';
    await call('admin', '/admin/cameras', {
      method: 'POST',
      body: JSON.stringify({ id: hevcId, name: 'H.265 camera', password: 'camera-secret-9' }),
    });
    const hevc = await device({
      deviceId: hevcId,
      password: 'camera-secret-9',
      channels: [{ id: '34020000001310000009', name: 'HEVC' }],
      streamType: 0x24,
    });
    expect(await hevc.register()).toBe(200);
    hevc.startKeepalives();
    await waitFor(
      'the H.265 camera catalog',
      async () => (await t.beacon.node.cameras?.cameras())?.some((c) => c.deviceId === hevcId) ?? false,
      Boolean,
      { timeoutMs: 10_000 },
    );
    await call('duty', '/cameras/34020000001310000009/view', { method: 'POST' });
    await waitFor('H.265 packets sent', () => hevc.packetsSent > 0, Boolean, { timeoutMs: 10_000 });
    // The platform ends the view and says BYE: the simulator stops sending.
    await waitFor('the H.265 camera is hung up', () => !hevc.streaming, Boolean, { timeoutMs: 10_000 });
    expect(await t.beacon.node.cameras?.liveView('34020000001310000009')).toBeNull();
  });

  it('hangs up a camera that answers the INVITE but never sends video', async () => {
    const mute = await device({
      deviceId: '34020000001320000008',
      password: 'camera-secret-8',
      clip: undefined,
      channels: [{ id: '34020000001310000008', name: '无画面' }],
    });
    await call('admin', '/admin/cameras', {
      method: 'POST',
      body: JSON.stringify({ id: '34020000001320000008', name: 'mute camera', password: 'camera-secret-8' }),
    });
    expect(await mute.register()).toBe(200);
    mute.startKeepalives();
    await waitFor(
      'the mute camera catalog',
      async () =>
        (await t.beacon.node.cameras?.cameras())?.some((c) => c.channelId === '34020000001310000008') ?? false,
      Boolean,
      { timeoutMs: 10_000 },
    );
    expect((await call('duty', '/cameras/34020000001310000008/view', { method: 'POST' })).status).toBe(200);
    // No frame within BEACON_GB28181_MEDIA_TIMEOUT_S (2 s here): the platform says BYE and the view is gone.
    await waitFor('BYE to the mute camera', () => mute.seen.includes('BYE'), Boolean, { timeoutMs: 15_000 });
    expect(await t.beacon.node.cameras?.liveView('34020000001310000008')).toBeNull();
    mute.stopKeepalives();
  });

  it('takes a device offline after three missed keepalives', async () => {
    const staff = await t.client('duty');
    const offline = new Promise<CameraView>((resolve) => {
      staff.on('camera:updated', (camera) => {
        if (!camera.online && camera.deviceId === DEVICE) resolve(camera);
      });
    });
    sim.stopKeepalives();
    const stoppedAt = Date.now();
    await offline;
    // Three intervals of 1 s since the last keepalive, which came at most 1 s before the stop.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1_900);
    expect(t.beacon.node.cameras?.isOnline(DEVICE)).toBe(false);
    // A keepalive from a device that is not registered is refused: it must register again.
    expect(await sim.keepalive()).toBe(403);
  });
});
