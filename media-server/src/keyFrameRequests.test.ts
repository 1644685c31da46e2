/**
 * A plain producer created with `keyFrameRequests` reports each key frame request mediasoup makes of its
 * sender (a consumer joining) as `keyframerequest`: how signaling hears it for a sender that reads no RTCP.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MediaControlEvents } from './MediaControlTypes.ts';
import { MediaServer } from './MediaServer.ts';
import { FFMPEG_VP8_RTP_PARAMETERS, loopbackOptions } from './testing.ts';

type RtpParameters = types.RtpParameters;
const SSRC = FFMPEG_VP8_RTP_PARAMETERS.encodings?.[0]?.ssrc as number;
const PT = FFMPEG_VP8_RTP_PARAMETERS.codecs[0]?.payloadType as number;
const withPli = (ssrc: number): RtpParameters => ({
  codecs: [
    { mimeType: 'video/VP8', clockRate: 90_000, payloadType: PT, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] },
  ],
  encodings: [{ ssrc }],
});

/** A VP8 packet (descriptor S=1, partition 0, then a few bytes): enough for mediasoup to open the stream. */
function vp8(seq: number, ssrc: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0x80 | PT;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 3000, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, Buffer.from([0x10, 0x01, 0x02, 0x03, 0x04])]);
}

describe('plain producer key frame requests', () => {
  let server: MediaServer;
  let socket: dgram.Socket;

  beforeEach(async () => {
    server = await MediaServer.create(await loopbackOptions());
    socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
  });

  afterEach(async () => {
    socket.close();
    await server.close();
  });

  it('emits keyframerequest for a producer that asked for them, and only for it', async () => {
    await server.ensureRoom('r');
    const asking = await server.createPlainProducer('r', 'camera', {
      kind: 'video',
      rtpParameters: withPli(SSRC),
      keyFrameRequests: true,
    });
    const silent = await server.createPlainProducer('r', 'other', { kind: 'video', rtpParameters: withPli(SSRC + 1) });
    const events: MediaControlEvents['keyframerequest'][0][] = [];
    server.on('keyframerequest', (event) => events.push(event));
    // mediasoup asks only once the producer's stream exists: RTP first.
    for (let seq = 1; seq <= 5; seq++) {
      socket.send(vp8(seq, SSRC), asking.port, '127.0.0.1');
      socket.send(vp8(seq, SSRC + 1), silent.port, '127.0.0.1');
      await delay(20);
    }
    const sink = socket.address().port;
    await server.createPlainConsumer('r', 'viewer', asking.producerId, { remoteIp: '127.0.0.1', remotePort: sink });
    await server.createPlainConsumer('r', 'viewer', silent.producerId, { remoteIp: '127.0.0.1', remotePort: sink });
    for (let i = 0; i < 100 && events.length === 0; i++) await delay(20);
    await delay(200);
    expect(events.length).toBeGreaterThan(0);
    expect(events).toContainEqual({ roomId: 'r', peerId: 'camera', producerId: asking.producerId, type: 'pli' });
    expect(events.every((e) => e.producerId === asking.producerId)).toBe(true);
  });
});
