/**
 * Socket signaling against a real node: handshake auth, hostile payloads for
 * every client event, and a full two-peer media exchange on a real mediasoup
 * worker. No mocks.
 */

import type { ClientEventName } from '@beacon/protocol';
import { resolveJwtSecret, TokenService } from '@beacon/signaling';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import {
  api,
  connect,
  FAKE_DTLS,
  login,
  micProducer,
  nextEvent,
  OPUS_RTP,
  ok,
  request,
  type TestClient,
  useTestNode,
  VP8_RTP,
} from './helpers.ts';

const SECRET = 'integration-test-secret-0123456789abcdef';

// A short reconnect grace: peers cut off mid-test (frame limit) are gone quickly.
// The hostile-payload test sends hundreds of events from one socket back to back: rates off (flood.test.ts rates them).
const t = useTestNode({
  env: {
    BEACON_JWT_SECRET: SECRET,
    BEACON_RECONNECT_GRACE_MS: '300',
    BEACON_RATE_MEDIA: 'off',
    BEACON_RATE_CONTROL: 'off',
    BEACON_RATE_COMMAND: 'off',
    BEACON_RATE_CHAT: 'off',
  },
});

async function refusal(token: string | undefined): Promise<{ message: string; data: unknown }> {
  try {
    const socket = await connect(t.url, token);
    socket.close();
  } catch (err) {
    return err as { message: string; data: unknown };
  }
  throw new Error('connected without a valid token');
}

describe('socket handshake', () => {
  it('refuses a missing token', async () => {
    const err = await refusal(undefined);
    expect(err.message).toBe('unauthorized');
    expect(err.data).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses a garbage token', async () => {
    expect((await refusal('not.a.jwt')).data).toMatchObject({ code: 'unauthorized' });
    expect((await refusal('x'.repeat(10_000))).data).toMatchObject({ code: 'unauthorized' });
  });

  it('refuses a token signed with another secret', async () => {
    const other = new TokenService({ secret: new TextEncoder().encode('another-secret-another-secret-0123456') });
    const { token } = await other.issue({
      userId: 'x',
      username: 'x',
      displayName: 'x',
      role: 'admin',
      townshipId: null,
    });
    expect((await refusal(token)).data).toMatchObject({ code: 'unauthorized' });
  });

  it('says token_expired for an expired token', async () => {
    // The server allows 30 s of clock skew, so the token expired two minutes ago rather than a second ago.
    const issuer = new TokenService({ secret: resolveJwtSecret(t.beacon.config), ttlSeconds: -120 });
    const { token } = await issuer.issue({
      userId: 'u',
      username: 'chair',
      displayName: '主席',
      role: 'chair',
      townshipId: null,
    });
    const err = await refusal(token);
    expect(err.message).toBe('token_expired');
    expect(err.data).toMatchObject({ code: 'token_expired' });
  });
});

/** Payloads every event must refuse: not an object at all. */
const NOT_OBJECTS: unknown[] = [null, 42, 'room', true, [], [{}]];
const HUGE = 'x'.repeat(200_000);

/** Per event, payloads of the right outer shape but wrong inside. */
const BAD_PAYLOADS: Record<ClientEventName, unknown[]> = {
  'room:join': [
    {},
    { roomId: 7 },
    { roomId: '' },
    { roomId: 'Has Spaces' },
    { roomId: 'a'.repeat(65) },
    { roomId: HUGE },
  ],
  'room:leave': [],
  'auth:renew': [{}, { token: '' }, { token: 7 }, { token: HUGE }],
  'room:ready': [
    {},
    { rtpCapabilities: 'opus' },
    { rtpCapabilities: { codecs: [{ mimeType: 'audio/opus', kind: 'smell' }] } },
  ],
  'transport:create': [{}, { direction: 'sideways' }, { direction: 1 }],
  'transport:connect': [
    {},
    { transportId: 1, dtlsParameters: FAKE_DTLS },
    { transportId: 't', dtlsParameters: { fingerprints: [] } },
    { transportId: HUGE, dtlsParameters: FAKE_DTLS },
  ],
  'producer:create': [
    {},
    { transportId: 't', kind: 'audio', rtpParameters: OPUS_RTP },
    { transportId: 't', kind: 'smell', rtpParameters: OPUS_RTP, source: 'mic' },
    { transportId: 't', kind: 'audio', rtpParameters: { codecs: [] }, source: 'mic' },
    { transportId: 't', kind: 'audio', rtpParameters: OPUS_RTP, source: HUGE },
  ],
  'producer:pause': [{}, { producerId: '' }, { producerId: 3 }, { producerId: HUGE }],
  'producer:resume': [{}, { producerId: '' }, { producerId: null }],
  'producer:close': [{}, { producerId: ['p'] }],
  'consumer:resume': [{}, { consumerId: '' }, { consumerId: { $gt: '' } }],
  'consumer:pause': [{}, { consumerId: 7 }],
  'consumer:setLayers': [
    { consumerId: 'c' },
    { consumerId: 'c', spatialLayer: 3 },
    { consumerId: 'c', spatialLayer: -1 },
  ],
  'receive:settings': [{}, { audioOnly: 'yes', maxSpatialLayer: 0 }, { audioOnly: true, maxSpatialLayer: 9 }],
  'transport:restartIce': [{}, { transportId: '' }],
  'room:resume': [{}, { roomId: 'city-weekly', peerId: 'p', resumeToken: 'short' }, { roomId: HUGE, peerId: 'p' }],
  'moderation:mute': [{}, { peerId: 'p' }, { peerId: 'p', kind: 'smell' }],
  'moderation:unmute': [{}, { peerId: 1 }],
  'moderation:muteAll': [],
  'moderation:remove': [{}, { peerId: '' }],
  'moderation:lock': [{}, { locked: 'yes' }],
  'moderation:end': [],
  'moderation:setRole': [{ peerId: 'p' }, { peerId: 'p', role: 'audience' }, { peerId: 'p', role: 'king' }],
  'moderation:setMode': [{}, { mode: 'party' }],
  'rollcall:set': [{}, { peerId: 5 }],
  'polling:start': [
    {},
    { peerIds: [], intervalSeconds: 10 },
    { peerIds: ['p'], intervalSeconds: 4 },
    { peerIds: ['p'], intervalSeconds: 7.5 },
  ],
  'polling:pause': [],
  'polling:resume': [],
  'polling:stop': [],
  'speak:request': [],
  'speak:cancel': [],
  'speak:grant': [{}, { peerId: '' }],
  'speak:deny': [{}],
  'chat:send': [{}, { text: '' }, { text: '   ' }, { text: 'x'.repeat(2001) }, { text: HUGE }],
  'recording:start': [],
  'recording:stop': [],
  'material:present': [{ materialId: 7 }, { materialId: 'm', page: 0 }, { materialId: HUGE }],
  'sip:resolve': [{}, { number: '' }, { number: '60a1' }, { number: HUGE }],
  'sip:enter': [{}, { number: '6001' }, { number: '6001', pin: 'abcd' }, { number: '6001', pin: '1'.repeat(13) }],
  'sip:upstreamIn': [{}, { number: '6001', callId: 'c' }, { number: '6001', callId: 'c', source: 'province.example' }],
  'sip:legToken': [
    {},
    { callId: '', extension: null, fromNumber: null },
    { callId: 'c', extension: 'x1', fromNumber: null },
  ],
  'sip:tap': [{}, { roomId: 'city-weekly', ip: '127.0.0.1', port: 0 }, { roomId: 'city-weekly', ip: '', port: 5000 }],
  'sip:untap': [{}, { roomId: '' }],
  'sip:status': [{}, { kamailio: 'maybe', reason: null, registrations: [], inCall: [] }],
  'sip:dialState': [{}, { requestId: 'r', state: 'exploded', reason: null }],
  'sip:subscribers': [],
  'phone:media': [{}, { codec: 'G729', ssrc: 1, payloadType: 0 }, { codec: 'PCMU', ssrc: 0, payloadType: 0 }],
  'phone:view': [{}, { ip: '', port: 1 }, { ip: '127.0.0.1', port: 70000 }],
  'phone:video': [
    {},
    { ssrc: 1, payloadType: 96, profileLevelId: 'baseline' },
    { ssrc: 1, payloadType: 0, profileLevelId: '42e01f' },
  ],
  'phone:state': [{}, { callState: 'dancing' }],
  'phone:count': [],
  'phone:dial': [{}, { extension: '' }, { extension: '80a1' }, { extension: 8001 }],
  'alert:received': [{}, { warningId: '' }, { warningId: 7 }, { warningId: HUGE }],
  'alert:ack': [{}, { warningId: '' }, { warningId: ['w'] }],
  'task:ack': [{}, { taskId: '' }, { taskId: null }],
  'task:done': [{}, { taskId: 't', note: 'x'.repeat(2001) }, { taskId: 't', note: 5 }],
  'pull:start': [{}, { townshipId: '' }, { townshipId: 1 }],
  'pull:stop': [{}, { townshipId: HUGE }],
  'duty:call:answer': [{}, { callId: '' }, { callId: HUGE }],
  'duty:call:decline': [{}, { callId: 7 }],
  'sip:alertAck': [{}, { warningId: 'w', townshipId: 'lucheng', extension: 'x' }],
  'sip:alertCallState': [{}, { warningId: 'w', townshipId: 'lucheng', extension: '8001', state: 'boom', reason: null }],
  'sip:pinLockout': [{}, { scope: 'room', number: '6001', caller: '8001', failures: 5, lockedForMs: 60_000 }],
  'sip:broadcastState': [{}, { callId: 'c', attempt: 0, state: 'answered', reason: null }],
  'upstream:connect': [],
  'upstream:disconnect': [],
  'upstream:mute': [{}, { muted: 'yes' }],
  'upstream:status': [],
};

/** A valid payload per event, for the not_in_room checks. */
const VALID: Record<ClientEventName, unknown> = {
  'room:join': { roomId: 'city-weekly' },
  'room:leave': {},
  'auth:renew': { token: 'not-a-token' },
  'room:ready': { rtpCapabilities: { codecs: [] } },
  'transport:create': { direction: 'send' },
  'transport:connect': { transportId: 't', dtlsParameters: FAKE_DTLS },
  'producer:create': { transportId: 't', kind: 'audio', rtpParameters: OPUS_RTP, source: 'mic' },
  'producer:pause': { producerId: 'p' },
  'producer:resume': { producerId: 'p' },
  'producer:close': { producerId: 'p' },
  'consumer:resume': { consumerId: 'c' },
  'consumer:pause': { consumerId: 'c' },
  'consumer:setLayers': { consumerId: 'c', spatialLayer: 0 },
  'receive:settings': { audioOnly: false, maxSpatialLayer: 2 },
  'transport:restartIce': { transportId: 't' },
  'room:resume': { roomId: 'city-weekly', peerId: 'p', resumeToken: 'x'.repeat(43) },
  'moderation:mute': { peerId: 'p', kind: 'audio' },
  'moderation:unmute': { peerId: 'p' },
  'moderation:muteAll': {},
  'moderation:remove': { peerId: 'p' },
  'moderation:lock': { locked: true },
  'moderation:end': {},
  'moderation:setRole': { peerId: 'p', role: 'cochair' },
  'moderation:setMode': { mode: 'meeting' },
  'rollcall:set': { peerId: null },
  'polling:start': { peerIds: ['p'], intervalSeconds: 5 },
  'polling:pause': {},
  'polling:resume': {},
  'polling:stop': {},
  'speak:request': {},
  'speak:cancel': {},
  'speak:grant': { peerId: 'p' },
  'speak:deny': { peerId: 'p' },
  'chat:send': { text: 'hello' },
  'recording:start': {},
  'recording:stop': {},
  'material:present': { materialId: null },
  'sip:resolve': { number: '6001' },
  'sip:enter': { number: '6001', pin: '2026' },
  'sip:upstreamIn': { number: '6001', callId: 'c', source: '127.0.0.2' },
  'sip:legToken': { callId: 'c', extension: '8001', fromNumber: null },
  'sip:tap': { roomId: 'city-weekly', ip: '127.0.0.1', port: 5000 },
  'sip:untap': { roomId: 'city-weekly' },
  'sip:status': { kamailio: 'running', reason: null, registrations: [], inCall: [] },
  'sip:dialState': { requestId: 'r', state: 'ringing', reason: null },
  'sip:subscribers': {},
  'phone:media': { codec: 'PCMU', ssrc: 1, payloadType: 0 },
  'phone:video': { ssrc: 1, payloadType: 96, profileLevelId: '42e01f' },
  'phone:view': { ip: '127.0.0.1', port: 40000 },
  'phone:state': { callState: 'connected' },
  'phone:count': {},
  'phone:dial': { extension: '8001' },
  'alert:received': { warningId: 'w' },
  'alert:ack': { warningId: 'w' },
  'task:ack': { taskId: 't' },
  'task:done': { taskId: 't', note: 'done' },
  'pull:start': { townshipId: 'lucheng' },
  'pull:stop': { townshipId: 'lucheng' },
  'duty:call:answer': { callId: 'dc-1' },
  'duty:call:decline': { callId: 'dc-1' },
  'sip:alertAck': { warningId: 'w', townshipId: 'lucheng', extension: '8001' },
  'sip:alertCallState': { warningId: 'w', townshipId: 'lucheng', extension: '8001', state: 'ringing', reason: null },
  'sip:pinLockout': { scope: 'caller', number: '6001', caller: '8001', failures: 5, lockedForMs: 60_000 },
  'sip:broadcastState': { callId: 'c', attempt: 1, state: 'answered', reason: null },
  'upstream:connect': {},
  'upstream:disconnect': {},
  'upstream:mute': { muted: false },
  'upstream:status': {},
};

/** Events only the gateway's service socket or a phone leg may send: a township browser gets `forbidden`. */
const NOT_FOR_BROWSERS = (event: ClientEventName) =>
  event.startsWith('sip:') ||
  event === 'phone:media' ||
  event === 'phone:video' ||
  event === 'phone:view' ||
  event === 'phone:state' ||
  event === 'phone:count';

/**
 * What a township browser outside any room hears. Command-room events are not room-scoped: acks of an
 * unknown alert or task are `not_found`, a video pull is for the city side (`forbidden`).
 */
const OUTSIDE_ROOM_CODE = (event: ClientEventName): string => {
  const cityOnly = event === 'pull:start' || event === 'pull:stop' || event.startsWith('duty:call:');
  if (NOT_FOR_BROWSERS(event) || cityOnly) return 'forbidden';
  if (event === 'alert:received' || event === 'alert:ack' || event === 'task:ack' || event === 'task:done') {
    return 'not_found';
  }
  // Not a room event: a token that is none is refused as such.
  if (event === 'auth:renew') return 'unauthorized';
  return 'not_in_room';
};

describe('hostile payloads', () => {
  it('answers every malformed event with bad_request while a healthy client keeps working', async () => {
    const healthy = await t.client('duty');
    await ok(healthy, 'room:join', { roomId: 'emergency-drill' });
    const send = await ok(healthy, 'transport:create', { direction: 'send' });
    const attacker = await t.client('lucheng');
    await ok(attacker, 'room:join', { roomId: 'emergency-drill' });
    const raw = attacker as unknown as Socket;

    for (const event of Object.keys(BAD_PAYLOADS) as ClientEventName[]) {
      for (const payload of [...NOT_OBJECTS, ...BAD_PAYLOADS[event]]) {
        const res = await request(attacker, event, payload);
        expect(res, `${event} ${JSON.stringify(payload)?.slice(0, 80)}`).toMatchObject({
          ok: false,
          error: { code: 'bad_request', message: expect.stringContaining(event) },
        });
      }
      // An ack but no payload at all.
      expect(await raw.timeout(5_000).emitWithAck(event)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      // No ack: nobody to answer, nothing to crash.
      raw.emit(event, { roomId: 1 });
      raw.emit(event);

      // Meanwhile the healthy peer gets correct, specific answers.
      expect(await request(healthy, 'producer:pause', { producerId: `unknown-${event}` })).toMatchObject({
        ok: false,
        error: { code: 'producer_not_found' },
      });
    }
    // Messages name the bad field.
    const res = await request(attacker, 'transport:connect', { transportId: 1, dtlsParameters: FAKE_DTLS });
    expect(res.ok ? '' : res.error.message).toMatch(/transportId/);

    // Beyond socket.io's 1 MB frame limit the attacker is cut off; the server and the healthy peer carry on.
    const cutOff = new Promise((resolve) => raw.once('disconnect', resolve));
    raw.emit('room:join', { roomId: 'x'.repeat(2_000_000) }, () => undefined);
    await cutOff;
    const mic = await ok(healthy, 'producer:create', micProducer(send.id));
    expect(mic.producerId).toEqual(expect.any(String));
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await expect.poll(() => t.beacon.node.rooms.participantCount('emergency-drill')).toBe(1);
    expect(await request(healthy, 'room:leave', {})).toEqual({ ok: true, data: {} });
    expect(t.beacon.node.rooms.get('emergency-drill')).toBeUndefined();
  });

  it('says not_in_room before a join and room_not_found for an unknown room', async () => {
    const socket = await t.client('donggua');
    for (const event of Object.keys(VALID) as ClientEventName[]) {
      if (event === 'room:join' || event === 'room:resume') continue;
      expect(await request(socket, event, VALID[event]), event).toMatchObject({
        ok: false,
        error: { code: OUTSIDE_ROOM_CODE(event) },
      });
    }
    expect(await request(socket, 'room:resume', VALID['room:resume'])).toMatchObject({
      ok: false,
      error: { code: 'resume_failed' },
    });
    expect(await request(socket, 'room:join', { roomId: 'no-such-room' })).toMatchObject({
      ok: false,
      error: { code: 'room_not_found' },
    });
    await ok(socket, 'room:join', { roomId: 'city-weekly' });
    expect(await request(socket, 'room:join', { roomId: 'emergency-drill' })).toMatchObject({
      ok: false,
      error: { code: 'already_in_room' },
    });
    expect(await request(socket, 'transport:connect', VALID['transport:connect'])).toMatchObject({
      ok: false,
      error: { code: 'transport_not_found' },
    });
    expect(await request(socket, 'producer:pause', { producerId: 'p' })).toMatchObject({
      ok: false,
      error: { code: 'producer_not_found' },
    });
    expect(await request(socket, 'consumer:resume', { consumerId: 'c' })).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/consumer_not_found|not_in_room/) },
    });
    expect(await request(socket, 'room:ready', VALID['room:ready'])).toMatchObject({
      ok: false,
      error: { code: 'transport_not_found' },
    });
    await ok(socket, 'room:leave', {});
    expect(await request(socket, 'room:leave', {})).toMatchObject({ ok: false, error: { code: 'not_in_room' } });
  });
});

describe('conference', () => {
  it('joins two peers at once into one media room and exchanges media', async () => {
    const chair = await t.client('chair');
    const town = await t.client('lucheng');
    const [a, b] = await Promise.all([
      ok(chair, 'room:join', { roomId: 'city-weekly' }),
      ok(town, 'room:join', { roomId: 'city-weekly' }),
    ]);
    expect(t.beacon.node.media.counts().rooms).toBe(1);
    expect(t.beacon.node.rooms.counts()).toEqual({ rooms: 1, participants: 2 });
    expect([...a.peers, ...b.peers].map((p) => p.peerId).sort()).toEqual([a.peerId, b.peerId].sort());
    expect(a.self).toMatchObject({ role: 'chair', audioMuted: true, videoMuted: true });
    const caps = a.routerRtpCapabilities as { codecs: unknown[] };
    expect(caps.codecs.length).toBeGreaterThan(0);

    // Transports for both.
    const transports = async (socket: TestClient) => {
      const send = await ok(socket, 'transport:create', { direction: 'send' });
      const recv = await ok(socket, 'transport:create', { direction: 'recv' });
      await ok(socket, 'transport:connect', { transportId: send.id, dtlsParameters: FAKE_DTLS });
      await ok(socket, 'transport:connect', { transportId: recv.id, dtlsParameters: FAKE_DTLS });
      return { send, recv };
    };
    const chairT = await transports(chair);
    const townT = await transports(town);
    expect(chairT.send.iceCandidates.length).toBeGreaterThan(0);

    // The chair speaks before the township is ready: the township gets the mic on ready.
    const updated = nextEvent(town, 'peer:updated');
    const mic = await ok(chair, 'producer:create', micProducer(chairT.send.id));
    expect(await updated).toMatchObject({ peerId: a.peerId, audioMuted: false });
    const micConsumer = nextEvent(town, 'consumer:new');
    expect(await ok(town, 'room:ready', { rtpCapabilities: caps })).toEqual({ consumers: 1 });
    const consumer = await micConsumer;
    expect(consumer).toMatchObject({ producerId: mic.producerId, peerId: a.peerId, kind: 'audio', source: 'mic' });
    await ok(town, 'consumer:resume', { consumerId: consumer.consumerId });

    // Producing with somebody else's transport id is refused.
    expect(await request(town, 'producer:create', micProducer(chairT.send.id))).toMatchObject({
      ok: false,
      error: { code: 'transport_not_found' },
    });

    // Once the chair is ready, a new camera of the township reaches it straight away.
    expect(await ok(chair, 'room:ready', { rtpCapabilities: caps })).toEqual({ consumers: 0 });
    const cameraConsumer = nextEvent(chair, 'consumer:new');
    const camera = await ok(town, 'producer:create', {
      transportId: townT.send.id,
      kind: 'video',
      rtpParameters: VP8_RTP,
      source: 'camera',
    });
    expect(await cameraConsumer).toMatchObject({
      producerId: camera.producerId,
      peerId: b.peerId,
      source: 'camera',
      kind: 'video',
    });
    expect(await request(chair, 'room:ready', { rtpCapabilities: caps })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });

    // Mute, unmute and stop the mic.
    const muted = nextEvent(town, 'peer:updated');
    const paused = nextEvent(town, 'consumer:paused');
    await ok(chair, 'producer:pause', { producerId: mic.producerId });
    expect(await muted).toMatchObject({ peerId: a.peerId, audioMuted: true });
    expect(await paused).toEqual({ consumerId: consumer.consumerId });
    const resumed = nextEvent(town, 'consumer:resumed');
    await ok(chair, 'producer:resume', { producerId: mic.producerId });
    expect(await resumed).toEqual({ consumerId: consumer.consumerId });
    expect(await request(town, 'producer:pause', { producerId: mic.producerId })).toMatchObject({
      ok: false,
      error: { code: 'producer_not_found' },
    });
    const closed = nextEvent(town, 'consumer:closed');
    await ok(chair, 'producer:close', { producerId: mic.producerId });
    expect(await closed).toEqual({ consumerId: consumer.consumerId });

    // A second socket of the same user is a separate peer.
    const chairTab2 = await t.client('chair');
    const joined = nextEvent(town, 'peer:joined');
    const tab2 = await ok(chairTab2, 'room:join', { roomId: 'city-weekly' });
    expect(await joined).toMatchObject({ peerId: tab2.peerId, userId: a.self.userId });
    expect(tab2.peers).toHaveLength(2);

    const rooms = (await (await api(t.url, await login(t.url, 'duty'), '/api/v1/rooms')).json()) as {
      id: string;
      participants: number;
    }[];
    expect(rooms.find((r) => r.id === 'city-weekly')?.participants).toBe(3);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^beacon_participants 3$/m);
    expect(metrics).toMatch(/^beacon_rooms 1$/m);
    expect(metrics).toMatch(/^beacon_media_workers_alive 1$/m);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);
    // Labels only from small fixed sets (error codes, reasons, channels, call outcomes, buckets), never a room.
    const labelNames = [...metrics.matchAll(/^beacon_\w+\{([^}]*)\}/gm)].flatMap((series) =>
      [...(series[1] ?? '').matchAll(/(\w+)="/g)].map((label) => label[1]),
    );
    expect(labelNames).toContain('reason');
    for (const name of labelNames) expect(['code', 'reason', 'channel', 'direction', 'outcome', 'le']).toContain(name);
    expect(metrics).not.toMatch(/city-weekly/);

    // Disconnect is a leave: others hear peer:left and the camera consumer closes.
    const left = nextEvent(chair, 'peer:left');
    const leftConsumer = nextEvent(chair, 'consumer:closed');
    town.disconnect();
    expect(await left).toEqual({ peerId: b.peerId });
    expect(await leftConsumer).toMatchObject({ consumerId: expect.any(String) });
    await ok(chair, 'room:leave', {});
    chairTab2.disconnect();
    await expect.poll(() => t.beacon.node.rooms.counts().rooms).toBe(0);
    expect(t.beacon.node.media.counts()).toMatchObject({ rooms: 0, transports: 0, producers: 0, consumers: 0 });
    expect(
      (await t.beacon.node.store.audit.list({ limit: 50 })).some(
        (e) => e.action === 'room.join' && e.target === 'city-weekly',
      ),
    ).toBe(true);
  });
});
