/**
 * A plain producer whose sender named its address (the SIP gateway's phone
 * socket) takes RTP from that address only: a stranger who reaches the port
 * first must not become the participant's voice, as comedia would let it.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaServer } from './MediaServer.ts';
import { loopbackOptions } from './testing.ts';

const PCMU_RTP_PARAMETERS = {
  codecs: [{ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }],
  encodings: [{ ssrc: 4242 }],
};

async function udp(ip = '127.0.0.1'): Promise<{ socket: dgram.Socket; received: Buffer[]; port: number }> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg) => received.push(msg));
  socket.bind(0, ip);
  await once(socket, 'listening');
  return { socket, received, port: socket.address().port };
}

function pcmu(seq: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 0;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 160, 4);
  header.writeUInt32BE(4242, 8);
  return Buffer.concat([header, Buffer.alloc(160, 0x7f)]);
}

/** Sends one packet every 20 ms until `done` holds or `timeoutMs` passes. */
async function sendUntil(from: dgram.Socket, port: number, firstSeq: number, done: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (let seq = firstSeq; !done() && Date.now() < deadline; seq++) {
    from.send(pcmu(seq), port, '127.0.0.1');
    await delay(20);
  }
}

describe('a plain producer with a named sender', () => {
  let server: MediaServer;
  const sockets: dgram.Socket[] = [];

  beforeEach(async () => {
    server = await MediaServer.create(await loopbackOptions());
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await server.close();
  });

  it('drops RTP from any other source, and takes the sender’s', async () => {
    await server.ensureRoom('r');
    const gateway = await udp();
    const stranger = await udp('127.0.0.2');
    const listener = await udp();
    sockets.push(gateway.socket, stranger.socket, listener.socket);
    const producer = await server.createPlainProducer('r', 'phone', {
      kind: 'audio',
      rtpParameters: PCMU_RTP_PARAMETERS,
      remote: { ip: '127.0.0.1', port: gateway.port },
    });
    await server.createPlainConsumer('r', 'browser', producer.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: listener.port,
    });
    // The stranger sends for a second: nothing of it may reach the room.
    await sendUntil(stranger.socket, producer.port, 1, () => listener.received.length > 0, 1000);
    expect(listener.received).toHaveLength(0);
    await sendUntil(gateway.socket, producer.port, 100, () => listener.received.length > 0);
    expect(listener.received.length).toBeGreaterThan(0);
  });
});
