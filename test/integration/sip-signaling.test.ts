/**
 * The signaling side of the SIP gateway (desk phones as room participants) against a real node and a
 * real mediasoup worker: the gateway's service socket (numbers, PINs, leg
 * tokens, room taps, status, dial-outs, credentials) and a phone leg's own
 * socket, whose G.711 RTP from a real UDP socket is checked where it leaves
 * mediasoup again. No Kamailio here: sip-gateway's tests cover that side.
 */
import { createHash } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { SipStatus } from '@beacon/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortBlock } from '../src/ports.ts';
import {
  api,
  connect,
  FAKE_DTLS,
  gatewaySocket,
  login,
  micProducer,
  nextEvent,
  ok,
  request,
  type TestClient,
  useTestNode,
} from './helpers.ts';

/** The gateway's RTP ports, as signaling is told them: taps (and what the media sends) go only there. */
const RTP_PORTS = 20;
const rtpMin = await freePortBlock(RTP_PORTS);
let nextRtpPort = rtpMin;
const t = useTestNode({
  env: { BEACON_SIP_RTP_PORT_MIN: String(rtpMin), BEACON_SIP_RTP_PORT_MAX: String(rtpMin + RTP_PORTS - 1) },
});
const opened: TestClient[] = [];
const udp: UdpSocket[] = [];

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.close();
  for (const socket of udp.splice(0)) socket.close();
  // The node forgets a gateway when its socket's disconnect arrives; later tests start without one.
  await waitFor(
    () => !t.beacon.node.sip.status().registrations.some((r) => r.registered) && !t.beacon.node.sip.available,
  );
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function track(socket: Promise<TestClient>): Promise<TestClient> {
  const s = await socket;
  opened.push(s);
  return s;
}

const gateway = () => track(gatewaySocket(t.beacon.node));

const user = async (username: string) => track(connect(t.url, await login(t.url, username)));

/** A phone call's leg socket for `extension` (or an unknown caller). */
async function leg(gw: TestClient, extension: string | null, fromNumber: string | null = extension) {
  const issued = await ok(gw, 'sip:legToken', { callId: `call-${Math.random()}`, extension, fromNumber });
  return { ...issued, socket: await track(connect(t.url, issued.token)) };
}

/** A UDP socket on loopback: a port of the kernel's, or (`gatewayPort`) the next of the gateway's RTP ports. */
async function udpSocket(opts: { gatewayPort?: boolean } = {}): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  udp.push(socket);
  const port = opts.gatewayPort ? nextRtpPort++ : 0;
  if (port > rtpMin + RTP_PORTS - 1) throw new Error('the test used up its gateway RTP ports');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return socket;
}

// ---- G.711 μ-law (ITU-T G.711), enough to send a tone and recognise it ------------------------------
function linearToUlaw(input: number): number {
  let sample = input;
  const sign = sample < 0 ? 0x80 : 0;
  if (sign) sample = -sample;
  sample = Math.min(sample, 32_635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}
function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

/** 20 ms PCMU packets of a 1 kHz tone, `count` of them, 20 ms apart. */
async function sendTone(socket: UdpSocket, to: { ip: string; port: number }, ssrc: number, count: number) {
  for (let i = 0; i < count; i++) {
    const packet = Buffer.alloc(12 + 160);
    packet[0] = 0x80;
    packet[1] = i === 0 ? 0x80 : 0x00; // marker on the first packet, payload type 0 (PCMU)
    packet.writeUInt16BE(i & 0xffff, 2);
    packet.writeUInt32BE((i * 160) >>> 0, 4);
    packet.writeUInt32BE(ssrc, 8);
    for (let n = 0; n < 160; n++) {
      packet[12 + n] = linearToUlaw(Math.round(8_000 * Math.sin((2 * Math.PI * 1_000 * (i * 160 + n)) / 8_000)));
    }
    socket.send(packet, to.port, to.ip);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The payload of an RTP packet (after CSRCs and header extensions); null for RTCP. */
function rtpPayload(packet: Buffer): { payloadType: number; data: Buffer } | null {
  const payloadType = (packet[1] ?? 0) & 0x7f;
  if (packet.length < 12 || (payloadType >= 72 && payloadType <= 76)) return null;
  let offset = 12 + ((packet[0] ?? 0) & 0x0f) * 4;
  if ((packet[0] ?? 0) & 0x10) offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  return { payloadType, data: packet.subarray(offset) };
}

/** Zero crossings per 20 ms PCMU payload: a 1 kHz tone has 20 cycles in 20 ms, so about 40. */
function crossingsPerPacket(payloads: Buffer[]): number {
  let crossings = 0;
  for (const payload of payloads) {
    let previous = ulawToLinear(payload[0] ?? 0xff);
    for (const byte of payload.subarray(1)) {
      const sample = ulawToLinear(byte);
      if ((previous < 0 && sample >= 0) || (previous >= 0 && sample < 0)) crossings++;
      previous = sample;
    }
  }
  return crossings / payloads.length;
}

describe('gateway service socket', () => {
  it('resolves numbers, checks PINs (auditing wrong ones) and refuses everyone but a service account', async () => {
    const gw = await gateway();
    expect(await ok(gw, 'sip:resolve', { number: '6001' })).toEqual({ roomId: 'city-weekly', title: '全市周例会' });
    expect(await request(gw, 'sip:resolve', { number: '6999' })).toMatchObject({ error: { code: 'room_not_found' } });
    // The duty number: a line of its own, joined without a PIN.
    expect(await ok(gw, 'sip:resolve', { number: '8000' })).toEqual({
      roomId: 'duty-line-1',
      title: '值班电话 1',
      pinRequired: false,
    });
    expect(await request(gw, 'sip:enter', { number: '6001', pin: '1111' })).toMatchObject({
      ok: false,
      error: { code: 'wrong_pin' },
    });
    const audit = await t.beacon.node.store.audit.list({ limit: 5 });
    expect(audit.find((e) => e.action === 'sip.wrong_pin')).toMatchObject({
      actorId: 'sip-gateway',
      target: 'city-weekly',
    });
    expect(await ok(gw, 'sip:enter', { number: '6001', pin: '2026' })).toEqual({
      roomId: 'city-weekly',
      title: '全市周例会',
    });
    expect(await ok(gw, 'sip:enter', { number: '6002', pin: '1234' })).toMatchObject({ roomId: 'emergency-drill' });

    // A room created later has its own number and PIN; one without a PIN lets any PIN in.
    const created = await t.beacon.node.store.rooms.create({
      id: 'no-pin',
      title: '无密码',
      kind: 'meeting',
      createdBy: null,
      pin: null,
    });
    expect(await ok(gw, 'sip:enter', { number: created.dialNumber ?? '', pin: '0' })).toMatchObject({
      roomId: 'no-pin',
    });

    for (const [event, payload] of [
      ['sip:resolve', { number: '60a1' }],
      ['sip:enter', { number: '6001', pin: 'abcd' }],
      ['sip:tap', { roomId: 'city-weekly', ip: '127.0.0.1', port: 0 }],
      ['sip:legToken', { callId: '', extension: null, fromNumber: null }],
      ['sip:dialState', { requestId: 'x', state: 'exploded', reason: null }],
    ] as const) {
      expect(await request(gw, event, payload), event).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await request(gw, 'sip:tap', { roomId: 'city-weekly', ip: 'not-an-ip', port: 5000 })).toMatchObject({
      error: { code: 'bad_request' },
    });

    const township = await user('lucheng');
    for (const [event, payload] of [
      ['sip:tap', { roomId: 'city-weekly', ip: '127.0.0.1', port: 5000 }],
      ['sip:resolve', { number: '6001' }],
      ['sip:subscribers', {}],
    ] as const) {
      expect(await request(township, event, payload), event).toMatchObject({ error: { code: 'forbidden' } });
    }
    const admin = await user('admin');
    expect(await request(admin, 'sip:legToken', { callId: 'c', extension: '8001', fromNumber: null })).toMatchObject({
      error: { code: 'forbidden' },
    });
  });

  it('mints leg tokens: a known extension is its township, anyone else a number', async () => {
    const gw = await gateway();
    const known = await ok(gw, 'sip:legToken', { callId: 'c1', extension: '8001', fromNumber: '8001' });
    expect(known).toMatchObject({ displayName: '鹿城镇·8001', townshipId: 'lucheng' });
    expect(await t.beacon.node.tokens.verify(known.token)).toEqual({
      userId: 'phone:8001',
      username: 'phone:8001',
      displayName: '鹿城镇·8001',
      role: 'township',
      townshipId: 'lucheng',
      device: 'phone',
      extension: '8001',
    });
    const stranger = await ok(gw, 'sip:legToken', { callId: 'c2', extension: null, fromNumber: '13800000000' });
    expect(stranger).toEqual({ token: expect.any(String), displayName: '电话 13800000000', townshipId: null });
    expect(await t.beacon.node.tokens.verify(stranger.token)).toMatchObject({
      userId: 'phone:13800000000',
      role: 'service',
      device: 'phone',
      extension: null,
    });
  });
});

describe('a phone leg in a room', () => {
  it('joins as a phone, sends G.711 into the room, and is muted and removed like anyone', async () => {
    const roomId = 'city-weekly';
    const chair = await user('chair');
    const chairJoin = await ok(chair, 'room:join', { roomId });
    // The chair receives: a recv transport and its capabilities (the router's, which include PCMU).
    const recv = await ok(chair, 'transport:create', { direction: 'recv' });
    await ok(chair, 'transport:connect', { transportId: recv.id, dtlsParameters: FAKE_DTLS });
    await ok(chair, 'room:ready', { rtpCapabilities: chairJoin.routerRtpCapabilities });

    const gw = await gateway();
    const phone = await leg(gw, '8001');
    const joinedSeen = nextEvent(chair, 'peer:joined');
    const joined = await ok(phone.socket, 'room:join', { roomId });
    expect(joined.self).toMatchObject({
      displayName: '鹿城镇·8001',
      device: 'phone',
      phone: { extension: '8001', callState: 'connected' },
      meetingRole: 'participant',
    });
    expect(await joinedSeen).toMatchObject({ peerId: joined.peerId, device: 'phone' });
    expect(chairJoin.self).toMatchObject({ device: 'browser', phone: null });

    // A leg is no browser: no chat, no WebRTC, no room:ready.
    for (const [event, payload] of [
      ['chat:send', { text: 'hi' }],
      ['transport:create', { direction: 'send' }],
      ['room:ready', { rtpCapabilities: { codecs: [] } }],
      ['phone:dial', { extension: '8002' }],
    ] as const) {
      expect(await request(phone.socket, event, payload), event).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect(await request(phone.socket, 'phone:media', { codec: 'G729', ssrc: 1, payloadType: 18 })).toMatchObject({
      error: { code: 'bad_request' },
    });
    // And phone:* is not for browsers.
    expect(await request(chair, 'phone:media', { codec: 'PCMU', ssrc: 1, payloadType: 0 })).toMatchObject({
      error: { code: 'forbidden' },
    });

    const consumerSeen = nextEvent(chair, 'consumer:new');
    const ssrc = 0x1234_5678;
    const media = await ok(phone.socket, 'phone:media', { codec: 'PCMU', ssrc, payloadType: 0 });
    const consumer = await consumerSeen;
    expect(consumer).toMatchObject({
      producerId: media.producerId,
      peerId: joined.peerId,
      kind: 'audio',
      source: 'mic',
    });
    expect((consumer.rtpParameters as { codecs: { mimeType: string }[] }).codecs[0]?.mimeType).toBe('audio/PCMU');
    expect(await ok(phone.socket, 'phone:count', {})).toEqual({ participants: 2 });

    // Real RTP in; what leaves mediasoup for a listener is the same tone.
    const ear = await udpSocket({ gatewayPort: true });
    const payloads: Buffer[] = [];
    ear.on('message', (packet) => {
      const payload = rtpPayload(packet);
      if (payload?.payloadType === 0) payloads.push(payload.data);
    });
    const earPort = (ear.address() as AddressInfo).port;
    const plain = await t.beacon.node.media.createPlainConsumer(roomId, 'it-ear', media.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: earPort,
    });
    expect(plain.rtpParameters.codecs[0]).toMatchObject({ mimeType: 'audio/PCMU', clockRate: 8000 });
    const mouth = await udpSocket();
    await sendTone(mouth, media, ssrc, 50);
    await waitFor(() => payloads.length >= 40);
    expect(crossingsPerPacket(payloads)).toBeGreaterThan(36);
    expect(crossingsPerPacket(payloads)).toBeLessThan(42);
    t.beacon.node.media.closePeer(roomId, 'it-ear');

    // Call state shows in the console.
    const held = nextEvent(chair, 'peer:updated');
    await ok(phone.socket, 'phone:state', { callState: 'held' });
    expect(await held).toMatchObject({ peerId: joined.peerId, phone: { callState: 'held' } });

    // The chair mutes the phone: its plain producer pauses, the leg hears it.
    const legHears = nextEvent(phone.socket, 'peer:updated');
    await ok(chair, 'moderation:mute', { peerId: joined.peerId, kind: 'audio' });
    expect(await legHears).toMatchObject({ peerId: joined.peerId, audioMuted: true, audioMutedBy: 'chair' });
    const producer = () => t.beacon.node.media.listProducers(roomId).find((p) => p.id === media.producerId);
    expect(producer()?.paused).toBe(true);
    // The phone answers with *6 (producer:resume), allowed as for a browser.
    await ok(phone.socket, 'producer:resume', { producerId: media.producerId });
    expect(producer()?.paused).toBe(false);
    await ok(phone.socket, 'speak:request', {});
    expect(
      t.beacon.node.rooms
        .get(roomId)
        ?.state()
        .speakQueue.map((s) => s.peerId),
    ).toContain(joined.peerId);

    // Removing the phone: the leg hears room:removed (the gateway hangs up), the producer is gone.
    const removed = nextEvent(phone.socket, 'room:removed');
    await ok(chair, 'moderation:remove', { peerId: joined.peerId });
    await removed;
    expect(producer()).toBeUndefined();
    await ok(chair, 'room:leave', {});
  });
});

describe('room tap', () => {
  it("sends the browsers' audio, not the phones', and follows producers coming and going", async () => {
    const roomId = 'emergency-drill';
    const duty = await user('duty');
    await ok(duty, 'room:join', { roomId });
    const send = await ok(duty, 'transport:create', { direction: 'send' });
    await ok(duty, 'transport:connect', { transportId: send.id, dtlsParameters: FAKE_DTLS });
    const dutyMic = (await ok(duty, 'producer:create', micProducer(send.id))).producerId;

    const gw = await gateway();
    const phone = await leg(gw, '8002');
    await ok(phone.socket, 'room:join', { roomId });
    await ok(phone.socket, 'phone:media', { codec: 'PCMA', ssrc: 4242, payloadType: 8 });

    const tapPort = (await udpSocket({ gatewayPort: true }).then((s) => s.address() as AddressInfo)).port;
    expect(await request(gw, 'sip:tap', { roomId: 'nobody-here', ip: '127.0.0.1', port: tapPort })).toMatchObject({
      error: { code: 'room_not_found' },
    });
    // Only the gateway's own RTP addresses: a meeting is not streamed to another host (TEST-NET-1 here), and
    // the attempt is in the audit.
    expect(await request(gw, 'sip:tap', { roomId, ip: '192.0.2.10', port: tapPort })).toMatchObject({
      error: { code: 'forbidden' },
    });
    // Nor to another port of the gateway's machine (Kamailio's 5060, any UDP service): only its RTP ports.
    for (const port of [5060, rtpMin - 1, rtpMin + RTP_PORTS]) {
      expect(await request(gw, 'sip:tap', { roomId, ip: '127.0.0.1', port }), `port ${port}`).toMatchObject({
        error: { code: 'forbidden' },
      });
    }
    const refused = (await t.beacon.node.store.audit.list({ limit: 20 })).filter((e) => e.action === 'sip.tap_refused');
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          target: roomId,
          detail: { ip: '192.0.2.10', port: tapPort, reason: 'not_gateway_address' },
        }),
        expect.objectContaining({
          target: roomId,
          detail: { ip: '127.0.0.1', port: 5060, reason: 'not_gateway_rtp_port' },
        }),
        expect.objectContaining({ detail: { ip: '127.0.0.1', port: rtpMin - 1, reason: 'not_gateway_rtp_port' } }),
        expect.objectContaining({
          detail: { ip: '127.0.0.1', port: rtpMin + RTP_PORTS, reason: 'not_gateway_rtp_port' },
        }),
      ]),
    );
    // The in-process media refuses the same behind signaling's back (a phone producer's remote, a view).
    await expect(
      t.beacon.node.media.createPlainConsumer(roomId, 'it-stray', dutyMic, { remoteIp: '127.0.0.1', remotePort: 5060 }),
    ).rejects.toMatchObject({ code: 'target_not_allowed' });
    const { streams } = await ok(gw, 'sip:tap', { roomId, ip: '127.0.0.1', port: tapPort });
    expect(streams).toEqual([
      {
        producerId: dutyMic,
        peerId: expect.any(String),
        ssrc: expect.any(Number),
        payloadType: 100,
        mimeType: 'audio/opus',
        clockRate: 48_000,
        channels: 2,
      },
    ]);
    // The tap is no participant.
    expect(await ok(phone.socket, 'phone:count', {})).toEqual({ participants: 2 });

    const chair = await user('chair');
    await ok(chair, 'room:join', { roomId });
    const chairSend = await ok(chair, 'transport:create', { direction: 'send' });
    await ok(chair, 'transport:connect', { transportId: chairSend.id, dtlsParameters: FAKE_DTLS });
    const streamSeen = nextEvent(gw, 'sip:tap:stream');
    const chairMic = (await ok(chair, 'producer:create', micProducer(chairSend.id))).producerId;
    expect(await streamSeen).toMatchObject({ roomId, stream: { producerId: chairMic, mimeType: 'audio/opus' } });

    const endedSeen = nextEvent(gw, 'sip:tap:ended');
    await ok(chair, 'producer:close', { producerId: chairMic });
    expect(await endedSeen).toEqual({ roomId, producerId: chairMic });

    // Untap closes the hidden peer's consumers; the gateway leaving does too. (Nobody else
    // consumes in this test: no one is ready to receive.)
    const consumers = () => t.beacon.node.media.counts().consumers;
    await ok(gw, 'sip:untap', { roomId });
    await waitFor(() => consumers() === 0);
    await ok(gw, 'sip:tap', { roomId, ip: '127.0.0.1', port: tapPort });
    expect(consumers()).toBe(1);
    gw.close();
    await waitFor(() => consumers() === 0);
    for (const s of [duty, chair, phone.socket]) await request(s, 'room:leave', {});
  });
});

describe('dial-out, status and credentials', () => {
  it('dials through the gateway and relays its progress to the dialler and the chairs', async () => {
    const roomId = 'city-weekly';
    const chair = await user('chair');
    await ok(chair, 'room:join', { roomId });
    const duty = await user('duty');
    await ok(duty, 'room:join', { roomId });
    const town = await user('donggua');
    await ok(town, 'room:join', { roomId });

    expect(await request(chair, 'phone:dial', { extension: '8002' })).toMatchObject({
      error: { code: 'sip_unavailable' },
    });
    const gw = await gateway();
    // A gateway that has not reported yet is still starting: not available.
    expect(await request(chair, 'phone:dial', { extension: '8002' })).toMatchObject({
      error: { code: 'sip_unavailable' },
    });
    await ok(gw, 'sip:status', { kamailio: 'running', reason: null, registrations: [], inCall: [] });
    await waitFor(() => t.beacon.node.sip.available);
    expect(await request(chair, 'phone:dial', { extension: '8999' })).toMatchObject({
      error: { code: 'extension_not_found' },
    });
    expect(await request(town, 'phone:dial', { extension: '8002' })).toMatchObject({ error: { code: 'forbidden' } });
    expect(await request(chair, 'phone:dial', { extension: 'abc' })).toMatchObject({ error: { code: 'bad_request' } });

    const dialSeen = nextEvent(gw, 'sip:dial');
    const { requestId } = await ok(duty, 'phone:dial', { extension: '8002' });
    expect(await dialSeen).toEqual({
      requestId,
      roomId,
      extension: '8002',
      displayName: '东瓜镇·8002',
      townshipId: 'donggua',
    });

    const dutyHears = nextEvent(duty, 'phone:dial:state');
    const chairHears = nextEvent(chair, 'phone:dial:state');
    await ok(gw, 'sip:dialState', { requestId, state: 'ringing', reason: null });
    const expected = { requestId, extension: '8002', state: 'ringing', reason: null };
    expect(await dutyHears).toEqual(expected);
    expect(await chairHears).toEqual(expected);
    await ok(gw, 'sip:dialState', { requestId, state: 'no_answer', reason: '无人接听' });
    expect(await request(gw, 'sip:dialState', { requestId, state: 'ended', reason: null })).toMatchObject({
      error: { code: 'not_found' },
    });
    for (const s of [chair, duty, town]) await ok(s, 'room:leave', {});
  });

  it('reports gateway status to staff and over REST', async () => {
    const duty = await user('duty');
    const dutyToken = await login(t.url, 'duty');
    const before = (await (await api(t.url, dutyToken, '/api/v1/sip/status')).json()) as SipStatus;
    expect(before).toMatchObject({ available: false, reason: 'gateway_not_connected' });
    expect(before.registrations).toHaveLength(15);

    const connected = nextEvent(duty, 'sip:status');
    const gw = await gateway();
    expect(await connected).toMatchObject({ available: false, reason: 'gateway_starting' });
    const reported = nextEvent(duty, 'sip:status');
    await ok(gw, 'sip:status', {
      kamailio: 'running',
      reason: null,
      registrations: [{ extension: '8003', contact: 'sip:8003@127.0.0.1:5090', expiresAt: null }],
      inCall: [],
    });
    const afterReport = await reported;
    expect(afterReport.available).toBe(true);
    expect(afterReport.registrations.find((r) => r.extension === '8003')).toMatchObject({
      terminalId: 'ph-lvhe',
      townshipId: 'lvhe',
      registered: true,
    });
    const viaRest = (await (await api(t.url, dutyToken, '/api/v1/sip/status')).json()) as SipStatus;
    expect(viaRest.registrations.find((r) => r.extension === '8003')?.registered).toBe(true);
    // Every phone's contact address is in it: a township account gets a coded 403.
    const refused = await api(t.url, await login(t.url, 'lvhe'), '/api/v1/sip/status');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });

    const gone = nextEvent(duty, 'sip:status');
    gw.close();
    expect(await gone).toMatchObject({ available: false, reason: 'gateway_not_connected' });
  });

  it("rotates a phone's SIP password (admin only) and tells the gateway", async () => {
    const gw = await gateway();
    const adminToken = await login(t.url, 'admin');
    const path = '/api/v1/terminals/ph-zixi/sip-credentials';
    expect((await api(t.url, await login(t.url, 'chair'), path, { method: 'POST' })).status).toBe(403);
    const notPhone = await api(t.url, adminToken, '/api/v1/terminals/vt-zixi/sip-credentials', { method: 'POST' });
    expect(notPhone.status).toBe(400);
    expect((await api(t.url, adminToken, '/api/v1/terminals/nope/sip-credentials', { method: 'POST' })).status).toBe(
      404,
    );

    const seeded = (await ok(gw, 'sip:subscribers', {})).subscribers;
    const told = nextEvent(gw, 'sip:credentials');
    const res = await api(t.url, adminToken, path, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { username: string; password: string; realm: string };
    expect(body).toEqual({ username: '8004', password: expect.stringMatching(/^[0-9]{12}$/), realm: 'beacon' });
    await told;

    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const { subscribers, realm } = await ok(gw, 'sip:subscribers', {});
    expect(realm).toBe('beacon');
    expect(subscribers.find((s) => s.username === '8004')).toEqual({
      username: '8004',
      ha1: md5(`8004:beacon:${body.password}`),
      ha1b: md5(`8004@beacon:beacon:${body.password}`),
    });
    // Others keep their own seeded passwords, each random: none is the published demo password.
    expect(subscribers.find((s) => s.username === '8001')).toEqual(seeded.find((s) => s.username === '8001'));
    for (const s of seeded) expect(s.ha1).not.toBe(md5(`${s.username}:beacon:beacon2026`));
    const audit = (await t.beacon.node.store.audit.list({ limit: 5 })).find(
      (e) => e.action === 'terminal.sip_credentials',
    );
    expect(audit).toMatchObject({ actorId: 'u-admin', target: 'ph-zixi', detail: { extension: '8004' } });
    expect(JSON.stringify(audit)).not.toContain(body.password);
  });

  it('shows dial numbers to everyone and PINs to staff only', async () => {
    const rooms = async (username: string) =>
      (await (await api(t.url, await login(t.url, username), '/api/v1/rooms')).json()) as {
        id: string;
        dialNumber: string | null;
        pin: string | null;
      }[];
    expect((await rooms('chair')).find((r) => r.id === 'city-weekly')).toMatchObject({
      dialNumber: '6001',
      pin: '2026',
    });
    expect((await rooms('lucheng')).find((r) => r.id === 'city-weekly')).toMatchObject({
      dialNumber: '6001',
      pin: null,
    });
    const created = await api(t.url, await login(t.url, 'duty'), '/api/v1/rooms', {
      method: 'POST',
      body: JSON.stringify({ id: 'sip-new-room', title: '新会议' }),
    });
    expect((await created.json()) as object).toMatchObject({
      dialNumber: expect.stringMatching(/^6\d{3}$/),
      pin: expect.stringMatching(/^\d{6}$/),
    });
  });
});
