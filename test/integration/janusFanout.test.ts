/**
 * The Janus side of the peer benchmark (test/bench/janus.ts) against the real
 * Debian Janus: a VideoRoom remote publisher takes plain RTP and its
 * `rtp_forward`ers deliver it to every receiver — but only for the SSRC Janus
 * maps to the publisher's first stream, which is why the bench rewrites it.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRemoteVideoPublisher,
  forwardVideo,
  JANUS_REMOTE_VIDEO_SSRC,
  JanusError,
  type JanusProcess,
  JanusSession,
  startJanus,
} from '../src/janus.ts';

const VP8_PAYLOAD_TYPE = 101;

function rtpPacket(sequenceNumber: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 4);
  packet[0] = 0x80;
  packet[1] = 0x80 | VP8_PAYLOAD_TYPE;
  packet.writeUInt16BE(sequenceNumber, 2);
  packet.writeUInt32BE(sequenceNumber * 3000, 4);
  packet.writeUInt32BE(ssrc, 8);
  // VP8 payload descriptor (start of partition 0) and a few payload bytes.
  packet.set([0x10, 0x01, 0x02, 0x03], 12);
  return packet;
}

async function receiver(): Promise<{ socket: dgram.Socket; packets: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (message) => packets.push(message));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, packets };
}

describe('Janus VideoRoom remote publisher fan-out (peer bench plumbing)', () => {
  let janus: JanusProcess;
  let session: JanusSession;

  beforeAll(async () => {
    janus = await startJanus();
    session = await JanusSession.attach(janus.apiUrl, 'janus.plugin.videoroom');
  });

  afterAll(async () => {
    await session?.destroy();
    await janus?.stop();
  });

  it('forwards RTP sent with JANUS_REMOTE_VIDEO_SSRC to every rtp_forward receiver, and drops other SSRCs', async () => {
    const room = 77;
    const { publisherId, port } = await createRemoteVideoPublisher(janus, session, room);
    const receivers = [await receiver(), await receiver()];
    const sender = dgram.createSocket('udp4');
    try {
      await forwardVideo(
        janus,
        session,
        room,
        publisherId,
        receivers.map(({ socket }) => socket.address().port),
      );
      // 1111 is what ffmpeg sends in other tests (spawnFfmpegVp8): Janus must drop it.
      for (const [ssrc, first] of [
        [1111, 0],
        [JANUS_REMOTE_VIDEO_SSRC, 100],
      ] as const) {
        for (let i = 0; i < 20; i++) {
          sender.send(rtpPacket(first + i, ssrc), port, '127.0.0.1');
          await delay(5);
        }
      }
      await delay(300);
      for (const { packets } of receivers) {
        const sequenceNumbers = packets.map((packet) => packet.readUInt16BE(2));
        expect(packets).toHaveLength(20);
        expect(packets.every((packet) => packet.subarray(12).equals(Buffer.from([0x10, 0x01, 0x02, 0x03])))).toBe(true);
        expect(new Set(sequenceNumbers).size).toBe(20);
      }
    } finally {
      sender.close();
      for (const { socket } of receivers) socket.close();
      await session.request({ request: 'destroy', room });
    }
  });

  it('refuses rtp_forward without the admin key (lock_rtp_forward)', async () => {
    const room = 78;
    await session.request({ request: 'create', room, admin_key: janus.adminKey });
    try {
      await expect(
        session.request({ request: 'rtp_forward', room, publisher_id: 1, host: '127.0.0.1', streams: [] }),
      ).rejects.toBeInstanceOf(JanusError);
    } finally {
      await session.request({ request: 'destroy', room });
    }
  });
});
