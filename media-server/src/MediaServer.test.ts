import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MediaControlEvents } from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import { MediaServer } from './MediaServer.ts';
import { FFMPEG_VP8_RTP_PARAMETERS, loopbackOptions } from './testing.ts';

const OPUS_RTP_PARAMETERS = {
  codecs: [{ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 100, rtcpFeedback: [] }],
  encodings: [{ ssrc: 2222 }],
};

describe('MediaServer', () => {
  let server: MediaServer;
  let rtcPort: number;

  beforeEach(async () => {
    const options = await loopbackOptions();
    rtcPort = options.rtcPortBase;
    server = await MediaServer.create(options);
  });

  afterEach(async () => {
    await server.close();
  });

  it('creates one router for concurrent first ensureRoom calls', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => server.ensureRoom('x')));
    expect(server.counts().rooms).toBe(1);
    // mediasoup hands out a copy of the router's capabilities on every read: the same content, one router.
    for (const result of results) expect(result.rtpCapabilities).toEqual(results[0]?.rtpCapabilities);
    const mimeTypes = results[0]?.rtpCapabilities.codecs?.map((codec) => codec.mimeType);
    expect(mimeTypes).toContain('audio/opus');
    expect(mimeTypes).toContain('video/VP8');
    expect(server.hasRoom('x')).toBe(true);
  });

  it('returns WebRTC transports with ICE candidates on the announced address and worker port', async () => {
    await server.ensureRoom('r');
    const info = await server.createWebRtcTransport('r', 'alice', 'send');
    expect(info.direction).toBe('send');
    expect(info.iceParameters.usernameFragment).toBeTruthy();
    expect(info.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    const candidates = info.iceCandidates.map(({ address, port, protocol }) => ({ address, port, protocol }));
    expect(candidates).toEqual(
      expect.arrayContaining([
        { address: '127.0.0.1', port: rtcPort, protocol: 'udp' },
        { address: '127.0.0.1', port: rtcPort, protocol: 'tcp' },
      ]),
    );
    expect(server.counts()).toMatchObject({ rooms: 1, peers: 1, transports: 1 });
  });

  it('rejects unknown rooms, peers, transports and producers with MediaError codes', async () => {
    await expect(server.createWebRtcTransport('nope', 'a', 'send')).rejects.toMatchObject({ code: 'room_not_found' });
    await server.ensureRoom('r');
    await expect(server.resumeConsumer('r', 'ghost', 'c')).rejects.toMatchObject({ code: 'peer_not_found' });
    const recv = await server.createWebRtcTransport('r', 'bob', 'recv');
    const { rtpCapabilities } = await server.ensureRoom('r');
    await expect(
      server.produce('r', 'bob', {
        transportId: 'none',
        kind: 'audio',
        rtpParameters: OPUS_RTP_PARAMETERS,
        appData: {},
      }),
    ).rejects.toMatchObject({ code: 'transport_not_found' });
    await expect(
      server.produce('r', 'bob', {
        transportId: recv.id,
        kind: 'audio',
        rtpParameters: OPUS_RTP_PARAMETERS,
        appData: {},
      }),
    ).rejects.toMatchObject({ code: 'invalid_state' });
    const error = await server
      .consume('r', 'bob', { transportId: recv.id, producerId: 'missing', rtpCapabilities })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({ code: 'producer_not_found' });
    await expect(server.resumeConsumer('r', 'bob', 'missing')).rejects.toMatchObject({ code: 'consumer_not_found' });
  });

  it('consumes paused, returns null for incapable receivers, rejects malformed capabilities', async () => {
    const { rtpCapabilities } = await server.ensureRoom('r');
    const video = await server.createPlainProducer('r', 'alice', {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
    });
    const recv = await server.createWebRtcTransport('r', 'bob', 'recv');
    const consumer = await server.consume('r', 'bob', {
      transportId: recv.id,
      producerId: video.producerId,
      rtpCapabilities,
    });
    expect(consumer).toMatchObject({ producerId: video.producerId, producerPeerId: 'alice', kind: 'video' });
    expect(server.listProducers('r')).toEqual([expect.objectContaining({ id: video.producerId, peerId: 'alice' })]);

    const audioOnly = { codecs: rtpCapabilities.codecs?.filter((codec) => codec.kind === 'audio') };
    const args = { transportId: recv.id, producerId: video.producerId };
    expect(await server.consume('r', 'bob', { ...args, rtpCapabilities: audioOnly })).toBeNull();
    await expect(server.consume('r', 'bob', { ...args, rtpCapabilities: {} as never })).rejects.toMatchObject({
      code: 'cannot_consume',
    });
  });

  it('closing a peer closes its objects and reports consumers of its producers to others', async () => {
    await server.ensureRoom('r');
    const alice = await server.createPlainProducer('r', 'alice', {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
    });
    const bob = await server.createPlainProducer('r', 'bob', { kind: 'audio', rtpParameters: OPUS_RTP_PARAMETERS });
    const remote = { remoteIp: '127.0.0.1', remotePort: 9 };
    const bobConsumesAlice = await server.createPlainConsumer('r', 'bob', alice.producerId, remote);
    await server.createPlainConsumer('r', 'alice', bob.producerId, remote);
    expect(server.counts()).toMatchObject({ peers: 2, transports: 4, producers: 2, consumers: 2 });

    const closed: MediaControlEvents['consumerclosed'][0][] = [];
    const gotEvent = new Promise<void>((resolve) => {
      server.on('consumerclosed', (event) => {
        closed.push(event);
        resolve();
      });
    });
    server.closePeer('r', 'alice');
    await gotEvent;
    expect(closed).toEqual([
      { roomId: 'r', peerId: 'bob', consumerId: bobConsumesAlice.consumerId, producerId: alice.producerId },
    ]);
    expect(server.counts()).toMatchObject({ peers: 1, transports: 2, producers: 1, consumers: 0 });
    expect(server.listProducers('r').map((p) => p.peerId)).toEqual(['bob']);
    server.closePeer('r', 'alice'); // idempotent
  });

  it('forwards producer pause and resume to consumers', async () => {
    await server.ensureRoom('r');
    const alice = await server.createPlainProducer('r', 'alice', { kind: 'audio', rtpParameters: OPUS_RTP_PARAMETERS });
    const consumer = await server.createPlainConsumer('r', 'bob', alice.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: 9,
    });
    const paused = new Promise((resolve) => server.once('consumerpaused', resolve));
    await server.pauseProducer('r', 'alice', alice.producerId);
    expect(await paused).toEqual({ roomId: 'r', peerId: 'bob', consumerId: consumer.consumerId });
    const resumed = new Promise((resolve) => server.once('consumerresumed', resolve));
    await server.resumeProducer('r', 'alice', alice.producerId);
    expect(await resumed).toEqual({ roomId: 'r', peerId: 'bob', consumerId: consumer.consumerId });
  });

  it('closeRoom closes the router and forgets the room', async () => {
    await server.ensureRoom('r');
    await server.createWebRtcTransport('r', 'alice', 'send');
    server.closeRoom('r');
    expect(server.hasRoom('r')).toBe(false);
    expect(server.counts()).toMatchObject({ rooms: 0, transports: 0 });
    await server.ensureRoom('r');
    expect(server.counts().rooms).toBe(1);
  });

  it('pauses consumers, ignores layer caps of non-simulcast ones, restarts ICE', async () => {
    const { rtpCapabilities } = await server.ensureRoom('r');
    const alice = await server.createPlainProducer('r', 'alice', { kind: 'audio', rtpParameters: OPUS_RTP_PARAMETERS });
    const recv = await server.createWebRtcTransport('r', 'bob', 'recv');
    const consumer = await server.consume('r', 'bob', {
      transportId: recv.id,
      producerId: alice.producerId,
      rtpCapabilities,
    });
    if (!consumer) throw new Error('no consumer');
    await server.resumeConsumer('r', 'bob', consumer.id);
    await server.pauseConsumer('r', 'bob', consumer.id);
    await server.setConsumerLayers('r', 'bob', consumer.id, { spatialLayer: 0, temporalLayer: 1 });
    await expect(server.pauseConsumer('r', 'bob', 'missing')).rejects.toMatchObject({ code: 'consumer_not_found' });

    const ice = await server.restartIce('r', 'bob', recv.id);
    expect(ice.usernameFragment).toBeTruthy();
    expect(ice.usernameFragment).not.toBe(recv.iceParameters.usernameFragment);
    await expect(server.restartIce('r', 'alice', alice.transportId)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
