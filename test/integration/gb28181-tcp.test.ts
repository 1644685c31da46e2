/**
 * A GB/T 28181 camera that speaks SIP over TCP (the way many NVRs are set up), against the device simulator
 * and a real mediasoup worker: it registers with digest over one TCP connection to the platform's SIP port
 * (the same number as UDP), keeps alive and answers the catalog query on it; everything the platform asks
 * (Catalog, PTZ, INVITE, ACK, BYE, key frame requests) comes back over that connection with a TCP Via. Its
 * live view decodes (ffmpeg reading a plain consumer of the camera's producer), and a viewer joining makes
 * the platform send the device `<IFameCmd>Send</IFameCmd>`, at most one per interval. A stream the platform
 * cannot frame (no Content-Length, garbage) loses its connection and nothing else.
 */
import net from 'node:net';
import { freePortBlock } from '@beacon/common/test-ports';
import type { CameraView } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GbDevice } from '../src/gb28181/GbDevice.ts';
import { h264Clip } from '../src/gb28181/h264Clip.ts';
import { decodeH264Rtp } from '../src/gb28181/rtpDecoder.ts';
import { waitFor } from '../src/waitFor.ts';
import { api, login, nextEvent, useTestNode } from './helpers.ts';

// Plain RTP may go only to the SIP gateway's RTP ports: the decoding viewer's port is made one of them.
const viewerPort = await freePortBlock(2);
const t = useTestNode({
  env: {
    BEACON_GB28181: 'on',
    BEACON_GB28181_PORT: '0',
    BEACON_GB28181_HOST: '127.0.0.1',
    BEACON_GB28181_KEEPALIVE_S: '1',
    BEACON_SIP_RTP_PORT_MIN: String(viewerPort),
    BEACON_SIP_RTP_PORT_MAX: String(viewerPort + 1),
  },
});
const DEVICE = '34020000001320000031';
const CHANNEL = '34020000001310000031';
const PASSWORD = 'camera-secret-31';
const tokens: Record<string, string> = {};
let sim: GbDevice;

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  return { status: res.status, body: (await res.json().catch(() => null)) as unknown };
}

/** A raw TCP connection to the platform's SIP port that resolves when the platform closes it. */
async function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, closed };
}

describe('GB/T 28181 over TCP', () => {
  beforeAll(async () => {
    for (const user of ['admin', 'duty']) tokens[user] = await login(t.url, user);
    await call('admin', '/admin/cameras', {
      method: 'POST',
      body: JSON.stringify({ id: DEVICE, name: '南门 NVR (TCP)', password: PASSWORD }),
    });
    const cameras = t.beacon.node.cameras;
    if (!cameras) throw new Error('GB/T 28181 is off');
    sim = new GbDevice({
      deviceId: DEVICE,
      password: PASSWORD,
      realm: '3402000000',
      serverId: '34020000002000000001',
      platform: { host: '127.0.0.1', port: cameras.port },
      channels: [{ id: CHANNEL, name: '南门广场', longitude: 101.55, latitude: 25.05 }],
      keepaliveMs: 1000,
      clip: await h264Clip({ seconds: 2 }),
      transport: 'tcp',
    });
    await sim.open();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('registers with digest, keeps alive and lists its catalog over one TCP connection; PTZ comes back on it', async () => {
    expect(await sim.register(3600, 'wrong-password')).toBe(403);
    const staff = await t.client('duty');
    const online = nextEvent(staff, 'camera:updated', 10_000);
    expect(await sim.register()).toBe(200);
    expect(await sim.keepalive()).toBe(200);
    sim.startKeepalives();
    expect(await online).toMatchObject({ channelId: CHANNEL, online: true });
    await waitFor(
      'the catalog stored',
      async () => ((await call('duty', '/cameras')).body as CameraView[]).some((c) => c.channelId === CHANNEL),
      Boolean,
      { timeoutMs: 10_000 },
    );
    const camera = ((await call('duty', '/cameras')).body as CameraView[]).find((c) => c.channelId === CHANNEL);
    expect(camera).toMatchObject({ name: '南门广场', lat: 25.05, lon: 101.55, online: true });

    const ptz = await call('duty', `/cameras/${CHANNEL}/ptz`, {
      method: 'POST',
      body: JSON.stringify({ action: 'move', pan: 1, speed: 128 }),
    });
    expect(ptz.body).toEqual({ command: 'A50F010180000036' });
    await waitFor('the PTZ command at the device', () => sim.ptzCommands.length === 1, Boolean, { timeoutMs: 5_000 });
    expect(sim.ptzCommands).toEqual(['A50F010180000036']);
    // The catalog query and the PTZ MESSAGE came over the device's own connection, their Via saying TCP.
    expect(sim.requestsIn.filter((r) => r.method === 'MESSAGE')).toEqual([
      { method: 'MESSAGE', over: 'tcp', via: 'tcp' },
      { method: 'MESSAGE', over: 'tcp', via: 'tcp' },
    ]);
    expect(sim.connected).toBe(true);
  });

  it('plays the live view (decodable H.264) and asks the device for a key frame when a viewer joins', async () => {
    const view = await call('duty', `/cameras/${CHANNEL}/view?transport=tcp`, { method: 'POST' });
    expect(view.body).toEqual({ roomId: `cam-${CHANNEL}` });
    const live = await t.beacon.node.cameras?.liveView(CHANNEL);
    await waitFor('frames forwarded', () => (live?.framesForwarded ?? 0) > 10, Boolean, { timeoutMs: 15_000 });
    expect(sim.mediaTransport).toBe('tcp');
    const asked = sim.keyFrameRequests.length;

    // A viewer joins: mediasoup asks the camera's producer for a key frame, the device gets IFameCmd.
    const media = t.beacon.node.media;
    const producer = media.listProducers(`cam-${CHANNEL}`).find((p) => p.kind === 'video');
    if (!producer) throw new Error('no camera producer');
    const caps = t.beacon.node.rooms.get(`cam-${CHANNEL}`)?.routerRtpCapabilities as {
      codecs: { mimeType: string; preferredPayloadType: number }[];
    };
    const h264 = caps.codecs.find((c) => c.mimeType === 'video/H264');
    const payloadType = h264?.preferredPayloadType ?? 0;
    // ffmpeg listens first, so that it sees the stream from the key frame the join asks for.
    const decoding = await decodeH264Rtp({ port: viewerPort, payloadType, frames: 25, timeoutMs: 20_000 });
    const consumer = await media.createPlainConsumer(`cam-${CHANNEL}`, 'it-tcp-viewer', producer.id, {
      remoteIp: '127.0.0.1',
      remotePort: viewerPort,
    });
    expect(consumer.rtpParameters.codecs[0]).toMatchObject({ mimeType: 'video/H264', payloadType });
    await waitFor('IFameCmd at the device', () => sim.keyFrameRequests.length > asked, Boolean, {
      timeoutMs: 10_000,
    });
    expect(sim.keyFrameRequests.at(-1)?.channelId).toBe(CHANNEL);
    expect(await decoding.done).toBe(25);

    // Viewers joining in a burst: one request per 2 s at most, however many asks mediasoup makes.
    const before = sim.keyFrameRequests.length;
    for (let i = 0; i < 3; i++) {
      await media.createPlainConsumer(`cam-${CHANNEL}`, `it-tcp-burst-${i}`, producer.id, {
        remoteIp: '127.0.0.1',
        remotePort: viewerPort + 1,
      });
    }
    await waitFor('the burst folded into one more request', () => sim.keyFrameRequests.length > before, Boolean, {
      timeoutMs: 10_000,
    });
    // The platform spaces them 2 s apart; arrival may jitter, an unlimited burst would be milliseconds apart.
    const times = sim.keyFrameRequests.map((r) => r.at);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1_500);
    }

    expect((await call('duty', `/cameras/${CHANNEL}/view`, { method: 'DELETE' })).status).toBe(204);
    await waitFor('the device stops sending', () => !sim.streaming, Boolean, { timeoutMs: 5_000 });
    // INVITE, ACK and BYE travelled the same TCP connection as the MESSAGEs.
    const dialog = sim.requestsIn.filter((r) => r.method !== 'MESSAGE');
    expect(dialog.map((r) => r.method)).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(sim.requestsIn.every((r) => r.over === 'tcp' && r.via === 'tcp')).toBe(true);
  });

  it('closes a connection it cannot frame and keeps serving the others', async () => {
    const port = t.beacon.node.cameras?.port as number;
    const garbage = await rawConnection(port);
    garbage.socket.write('GET / HTTP/1.1\r\nHost: beacon\r\n\r\n');
    await garbage.closed;

    const noLength = await rawConnection(port);
    noLength.socket.write(
      `MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKx\r\n` +
        `From: <sip:${DEVICE}@3402000000>;tag=x\r\nTo: <sip:34020000002000000001@3402000000>\r\n` +
        'Call-ID: nolength@sim\r\nCSeq: 1 MESSAGE\r\n\r\n<Notify><CmdType>Keepalive</CmdType></Notify>',
    );
    await noLength.closed;

    const oversized = await rawConnection(port);
    oversized.socket.write('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 10000000\r\n\r\n');
    await oversized.closed;

    // The registered device never noticed: its connection is open and its keepalive answered.
    expect(sim.connected).toBe(true);
    expect(await sim.keepalive()).toBe(200);
    expect(t.beacon.node.cameras?.isOnline(DEVICE)).toBe(true);
  });
});
