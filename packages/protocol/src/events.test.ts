import { describe, expect, it } from 'vitest';
import { BeaconError, ERROR_CODES } from './errors.ts';
import { type ClientEventName, clientEventSchemas, roomIdSchema } from './events.ts';
import { createRoomRequestSchema, loginRequestSchema } from './rest.ts';

const fingerprint = { algorithm: 'sha-256', value: 'AB:CD' };
const opus = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };

/** One valid payload per client event: the schemas must accept real client input. */
const valid: { [E in ClientEventName]: unknown } = {
  'room:join': { roomId: 'city-weekly' },
  'room:leave': {},
  'auth:renew': { token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' },
  'room:ready': { rtpCapabilities: { codecs: [{ mimeType: 'audio/opus', kind: 'audio', clockRate: 48000 }] } },
  'transport:create': { direction: 'send' },
  'transport:connect': { transportId: 't1', dtlsParameters: { role: 'client', fingerprints: [fingerprint] } },
  'producer:create': {
    transportId: 't1',
    kind: 'audio',
    source: 'mic',
    rtpParameters: { mid: '0', codecs: [opus], encodings: [{ ssrc: 1 }], headerExtensions: [], rtcp: { cname: 'x' } },
  },
  'producer:pause': { producerId: 'p1' },
  'producer:resume': { producerId: 'p1' },
  'producer:close': { producerId: 'p1' },
  'consumer:resume': { consumerId: 'c1' },
  'moderation:mute': { peerId: 'p1', kind: 'audio' },
  'moderation:unmute': { peerId: 'p1' },
  'moderation:muteAll': {},
  'moderation:remove': { peerId: 'p1' },
  'moderation:lock': { locked: true },
  'moderation:end': {},
  'moderation:setRole': { peerId: 'p1', role: 'cochair' },
  'moderation:setMode': { mode: 'broadcast', presenterPeerId: 'p1' },
  'rollcall:set': { peerId: null },
  'polling:start': { peerIds: ['p1', 'p2'], intervalSeconds: 10 },
  'polling:pause': {},
  'polling:resume': {},
  'polling:stop': {},
  'speak:request': {},
  'speak:cancel': {},
  'speak:grant': { peerId: 'p1' },
  'speak:deny': { peerId: 'p1' },
  'chat:send': { text: '收到' },
  'recording:start': {},
  'recording:stop': {},
  'material:present': { materialId: 'm1', page: 2 },
  'consumer:pause': { consumerId: 'c1' },
  'consumer:setLayers': { consumerId: 'c1', spatialLayer: 0 },
  'receive:settings': { audioOnly: true, maxSpatialLayer: 0 },
  'transport:restartIce': { transportId: 't1' },
  'room:resume': { roomId: 'city-weekly', peerId: 'p1', resumeToken: 'x'.repeat(43) },
  'sip:resolve': { number: '6001' },
  'sip:enter': { number: '6001', pin: '2026' },
  'sip:upstreamIn': { number: '6001', callId: 'b84b4c76e66710@127.0.0.2', source: '127.0.0.2' },
  'sip:legToken': { callId: 'a84b4c76e66710@127.0.0.1', extension: '8001', fromNumber: '8001' },
  'sip:tap': { roomId: 'city-weekly', ip: '127.0.0.1', port: 42_000 },
  'sip:untap': { roomId: 'city-weekly' },
  'sip:status': {
    kamailio: 'running',
    reason: null,
    registrations: [{ extension: '8001', contact: 'sip:8001@127.0.0.1:5071', expiresAt: null }],
    inCall: ['8001'],
  },
  'sip:dialState': { requestId: 'r1', state: 'ringing', reason: null },
  'sip:subscribers': {},
  'phone:media': { codec: 'PCMU', ssrc: 1234, payloadType: 0 },
  'phone:video': { ssrc: 1234, payloadType: 96, profileLevelId: '42e01f' },
  'phone:view': { ip: '127.0.0.1', port: 40000 },
  'phone:state': { callState: 'held' },
  'phone:count': {},
  'phone:dial': { extension: '8001' },
  'alert:received': { warningId: 'w1' },
  'alert:ack': { warningId: 'w1' },
  'task:ack': { taskId: 't1' },
  'task:done': { taskId: 't1', note: '已完成' },
  'pull:start': { townshipId: 'lucheng' },
  'pull:stop': { townshipId: 'lucheng' },
  'duty:call:answer': { callId: 'dc-1' },
  'duty:call:decline': { callId: 'dc-1' },
  'sip:alertAck': { warningId: 'w1', townshipId: 'lucheng', extension: '8001' },
  'sip:alertCallState': { warningId: 'w1', townshipId: 'lucheng', extension: '8001', state: 'ringing', reason: null },
  'sip:pinLockout': { scope: 'caller', number: '6001', caller: '8001', failures: 5, lockedForMs: 60_000 },
  'sip:broadcastState': { callId: 'c1', attempt: 1, state: 'answered', reason: null },
  'upstream:connect': {},
  'upstream:disconnect': {},
  'upstream:mute': { muted: true },
  'upstream:status': {},
};

describe('client event schemas', () => {
  it.each(Object.keys(clientEventSchemas) as ClientEventName[])('%s accepts a real payload', (event) => {
    expect(clientEventSchemas[event].safeParse(valid[event]).success).toBe(true);
  });

  it.each(Object.keys(clientEventSchemas) as ClientEventName[])('%s rejects non-objects', (event) => {
    for (const bad of [null, undefined, 42, 'x', []]) {
      expect(clientEventSchemas[event].safeParse(bad).success).toBe(false);
    }
  });

  it('keeps unknown mediasoup fields in RTP parameters', () => {
    const parsed = clientEventSchemas['producer:create'].parse({
      ...(valid['producer:create'] as object),
      rtpParameters: { codecs: [{ ...opus, rtcpFeedback: [{ type: 'nack' }] }], futureField: 1 },
    });
    expect(parsed.rtpParameters).toMatchObject({ futureField: 1, codecs: [{ rtcpFeedback: [{ type: 'nack' }] }] });
  });

  it('rejects bad field values', () => {
    expect(clientEventSchemas['transport:create'].safeParse({ direction: 'sideways' }).success).toBe(false);
    expect(clientEventSchemas['transport:connect'].safeParse({ transportId: 't', dtlsParameters: {} }).success).toBe(
      false,
    );
    expect(
      clientEventSchemas['producer:create'].safeParse({ ...(valid['producer:create'] as object), source: 'x' }).success,
    ).toBe(false);
    expect(clientEventSchemas['consumer:resume'].safeParse({ consumerId: 'x'.repeat(500) }).success).toBe(false);
    expect(clientEventSchemas['polling:start'].safeParse({ peerIds: ['p'], intervalSeconds: 4 }).success).toBe(false);
    expect(clientEventSchemas['chat:send'].safeParse({ text: '   ' }).success).toBe(false);
  });

  it('room ids are lowercase slugs', () => {
    expect(roomIdSchema.safeParse('city-weekly').success).toBe(true);
    for (const bad of ['', 'City', '../etc', '-x', 'a b', 'x'.repeat(65)]) {
      expect(roomIdSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('REST schemas', () => {
  it('login needs both fields', () => {
    expect(loginRequestSchema.safeParse({ username: 'chair', password: 'p' }).success).toBe(true);
    expect(loginRequestSchema.safeParse({ username: 'chair' }).success).toBe(false);
    expect(loginRequestSchema.safeParse({ username: '', password: 'p' }).success).toBe(false);
  });

  it('room kind defaults to meeting', () => {
    expect(createRoomRequestSchema.parse({ id: 'r1', title: '会议' }).kind).toBe('meeting');
  });
});

describe('BeaconError', () => {
  it('carries a known code into the ack body', () => {
    const error = BeaconError.forbidden();
    expect(ERROR_CODES).toContain(error.code);
    expect(error.toBody()).toEqual({ code: 'forbidden', message: 'not allowed for your role' });
    expect(error).toBeInstanceOf(Error);
  });
});
