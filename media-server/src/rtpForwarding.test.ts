import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaServer } from './MediaServer.ts';
import {
  FFMPEG_VP8_RTP_PARAMETERS,
  loopbackOptions,
  parseRtp,
  parseVp8Descriptor,
  type RtpPacket,
  spawnFfmpegVp8,
  stopProcess,
} from './testing.ts';

const WANTED_PACKETS = 50;
const WAIT_MS = 15_000;

describe('RTP forwarding (ffmpeg -> PlainTransport producer -> PlainTransport consumer -> UDP socket)', () => {
  let server: MediaServer;
  let socket: dgram.Socket;
  let ffmpeg: ChildProcess | undefined;

  beforeEach(async () => {
    server = await MediaServer.create(await loopbackOptions());
    socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
  });

  afterEach(async () => {
    await stopProcess(ffmpeg);
    socket.close();
    await server.close();
  });

  it('forwards real VP8 RTP with the consumer payload type and SSRC', async () => {
    await server.ensureRoom('r');
    const producer = await server.createPlainProducer('r', 'camera', {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
    });
    const consumer = await server.createPlainConsumer('r', 'recorder', producer.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: socket.address().port,
    });
    const payloadType = consumer.rtpParameters.codecs[0]?.payloadType;
    const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    expect(payloadType).toBeTypeOf('number');
    expect(ssrc).toBeTypeOf('number');

    const packets: RtpPacket[] = [];
    const enough = new Promise<void>((resolve) => {
      socket.on('message', (message) => {
        const packet = parseRtp(message);
        if (packet) packets.push(packet);
        if (packets.length >= WANTED_PACKETS) resolve();
      });
    });
    ffmpeg = spawnFfmpegVp8(producer.ip, producer.port, producer.rtcpPort);
    await Promise.race([enough, new Promise((resolve) => setTimeout(resolve, WAIT_MS))]);

    expect(packets.length).toBeGreaterThanOrEqual(WANTED_PACKETS);
    for (const packet of packets) {
      expect(packet.payloadType).toBe(payloadType);
      expect(packet.ssrc).toBe(ssrc);
    }
    const descriptors = packets.map((packet) => parseVp8Descriptor(packet.payload));
    expect(descriptors.every((descriptor) => descriptor !== null)).toBe(true);
    // mediasoup holds video until a key frame, so the first forwarded packet starts one.
    expect(descriptors[0]).toMatchObject({ start: true, partitionId: 0, keyFrame: true });
    expect(descriptors.some((descriptor) => descriptor?.pictureId !== undefined)).toBe(true);

    const [stats] = await server.getConsumerStats('r', 'recorder', consumer.consumerId);
    expect(stats?.packetCount).toBeGreaterThanOrEqual(WANTED_PACKETS);
  });
});
