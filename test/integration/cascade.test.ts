/**
 * Cascade across two media node processes on loopback, driven by a
 * CascadedMediaControl as signaling would: real VP8 RTP (ffmpeg) produced on
 * node A reaches plain RTP receivers placed on node B through one
 * PipeTransport hop; the pipe is shared, released, and a killed node is
 * declared dead.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import type { NodeHeartbeat } from '@beacon/media-server';
import {
  FFMPEG_VP8_RTP_PARAMETERS,
  parseRtp,
  parseVp8Descriptor,
  type RtpPacket,
  spawnFfmpegVp8,
  stopProcess,
} from '@beacon/media-server/testing';
import { CascadedMediaControl, InMemoryMediaNodeRegistry, RemoteMediaControl } from '@beacon/signaling/media-nodes';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';

const ROOM = 'county-drill';
const WANTED_PACKETS = 30;

/** A UDP receiver collecting RTP packets. */
async function rtpReceiver() {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const packets: RtpPacket[] = [];
  socket.on('message', (message) => {
    const packet = parseRtp(message);
    if (packet) packets.push(packet);
  });
  return {
    port: socket.address().port,
    packets,
    /** Resolves with the count once `count` more packets arrived, or after `ms` with what came. */
    async more(count: number, ms = 15_000): Promise<number> {
      const start = packets.length;
      const deadline = Date.now() + ms;
      while (packets.length - start < count && Date.now() < deadline) await sleep(100);
      return packets.length - start;
    },
    close: () => socket.close(),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Heartbeats until one satisfies `check` (the node reports every 2 s); the last one seen otherwise. */
async function heartbeatUntil(
  cascade: CascadedMediaControl,
  nodeId: string,
  check: (beat: NodeHeartbeat) => boolean,
  beats = 6,
): Promise<NodeHeartbeat | undefined> {
  const client = cascade.node(nodeId);
  let last: NodeHeartbeat | undefined;
  for (let i = 0; i < beats; i++) {
    last = await new Promise<NodeHeartbeat>((resolve) => client.once('heartbeat', resolve));
    if (check(last)) return last;
  }
  return last;
}

describe('cascade: two media node processes', () => {
  const key = mediaNodeKey();
  let nodeA: MediaNodeProcess;
  let nodeB: MediaNodeProcess;
  let cascade: CascadedMediaControl;
  let ffmpeg: ChildProcess | undefined;

  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([
      // A short grace so the vanished-client test need not wait 15 s.
      startMediaNode({ nodeId: 'node-a', region: 'city', key, env: { MEDIA_NODE_CLIENT_GRACE_MS: '1500' } }),
      startMediaNode({ nodeId: 'node-b', region: 'county', key }),
    ]);
    cascade = await CascadedMediaControl.create({
      nodeUrls: [nodeA.url, nodeB.url],
      key,
      registry: new InMemoryMediaNodeRegistry(),
      // Peers named "city-…" belong to the city node's region, the rest to the county's.
      regionOf: (_roomId, peerId) => (peerId.startsWith('city-') ? 'city' : 'county'),
    });
  }, 60_000);

  afterAll(async () => {
    await stopProcess(ffmpeg);
    await cascade?.close();
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  });

  it('refuses a control client with the wrong key', async () => {
    const intruder = new RemoteMediaControl({ url: nodeA.url, key: mediaNodeKey() });
    // Started after the intruder: the node greets every client it admits with a heartbeat at once, so by the
    // rightful client's first heartbeat the node has answered the intruder's handshake too.
    const rightful = new RemoteMediaControl({ url: nodeA.url, key });
    try {
      // The node refuses a handshake with a wrong key outright …
      const probe = io(nodeA.url, { auth: { key: mediaNodeKey() }, transports: ['websocket'], reconnection: false });
      const refusal = await new Promise<Error>((resolve) => probe.once('connect_error', resolve));
      probe.close();
      expect(refusal.message).toBe('unauthorized');
      // … and the intruder's client is left unconnected, with nothing it could act on.
      await new Promise((resolve) => rightful.once('heartbeat', resolve));
      expect(intruder.connected).toBe(false);
      expect(intruder.lastHeartbeat).toBeUndefined();
      await expect(intruder.ensureRoom('r')).rejects.toMatchObject({ code: 'invalid_state' });
    } finally {
      await Promise.all([intruder.close(), rightful.close()]);
    }
  });

  it('closes the peers a vanished signaling client left on a node, after the grace period', async () => {
    const transportsOnA = async (watcher: RemoteMediaControl) => {
      const beat = await new Promise<{ load: { transports: number; peers: number } }>((resolve) =>
        watcher.once('heartbeat', resolve),
      );
      return beat.load.transports;
    };
    const watcher = new RemoteMediaControl({ url: nodeA.url, key });
    const signalingNode = new RemoteMediaControl({ url: nodeA.url, key });
    try {
      const baseline = await transportsOnA(watcher);
      await new Promise((resolve) => signalingNode.once('heartbeat', resolve));
      await signalingNode.ensureRoom('orphans');
      await signalingNode.createWebRtcTransport('orphans', 'orphan-peer', 'send');
      // The receiver's link key crosses the control protocol; one longer than an id is refused, nothing created.
      await expect(
        signalingNode.createWebRtcTransport('orphans', 'orphan-peer', 'recv', { linkKey: 'u'.repeat(201) }),
      ).rejects.toMatchObject({ code: 'bad_request' });
      await signalingNode.createWebRtcTransport('orphans', 'orphan-peer', 'recv', { linkKey: 'user-1' });
      expect(await transportsOnA(watcher)).toBe(baseline + 2);
      // The signaling node vanishes (its control connection drops and never comes back).
      await signalingNode.close();
      const deadline = Date.now() + 10_000;
      let now = baseline + 2;
      while (Date.now() < deadline && now !== baseline) now = await transportsOnA(watcher);
      expect(now).toBe(baseline);
    } finally {
      await signalingNode.close();
      await watcher.close();
    }
  });

  it('carries media over an SRTP-protected pipe', async () => {
    const srtp = await CascadedMediaControl.create({
      nodeUrls: [nodeA.url, nodeB.url],
      key,
      registry: new InMemoryMediaNodeRegistry(),
      regionOf: (_roomId, peerId) => (peerId.startsWith('city-') ? 'city' : 'county'),
      enableSrtp: true,
    });
    const receiver = await rtpReceiver();
    let sender: ChildProcess | undefined;
    try {
      await srtp.ensureRoom('srtp-room');
      const producer = await srtp.createPlainProducer('srtp-room', 'city-camera', {
        kind: 'video',
        rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
      });
      sender = spawnFfmpegVp8(producer.ip, producer.port, producer.rtcpPort);
      await srtp.createPlainConsumer('srtp-room', 'county-viewer', producer.producerId, {
        remoteIp: '127.0.0.1',
        remotePort: receiver.port,
      });
      expect(srtp.nodeOfPeer('srtp-room', 'county-viewer')).toBe('node-b');
      expect(await receiver.more(WANTED_PACKETS)).toBeGreaterThanOrEqual(WANTED_PACKETS);
      srtp.closeRoom('srtp-room');
    } finally {
      await stopProcess(sender);
      receiver.close();
      await srtp.close();
    }
  });

  it('pipes a producer of node A once to node B, releases it, and detects a killed node', async () => {
    await cascade.ensureRoom(ROOM);
    const producer = await cascade.createPlainProducer(ROOM, 'city-camera', {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
      appData: { source: 'camera' },
    });
    expect(cascade.nodeOfPeer(ROOM, 'city-camera')).toBe('node-a');
    ffmpeg = spawnFfmpegVp8(producer.ip, producer.port, producer.rtcpPort);

    // A peer that stays on node B with no consumer: the room lives on there after the viewers leave.
    await cascade.createWebRtcTransport(ROOM, 'county-idle', 'recv');
    const first = await rtpReceiver();
    const second = await rtpReceiver();
    try {
      const consumer1 = await cascade.createPlainConsumer(ROOM, 'county-viewer-1', producer.producerId, {
        remoteIp: '127.0.0.1',
        remotePort: first.port,
      });
      expect(cascade.nodeOfPeer(ROOM, 'county-viewer-1')).toBe('node-b');
      expect(await first.more(WANTED_PACKETS)).toBeGreaterThanOrEqual(WANTED_PACKETS);
      const payloadType = consumer1.rtpParameters.codecs[0]?.payloadType;
      const ssrc = consumer1.rtpParameters.encodings?.[0]?.ssrc;
      expect(first.packets.every((p) => p.payloadType === payloadType && p.ssrc === ssrc)).toBe(true);
      // Real VP8 crossed the hop: mediasoup on B starts the stream at a key frame.
      expect(parseVp8Descriptor(first.packets[0]?.payload ?? Buffer.alloc(0))).toMatchObject({ keyFrame: true });

      await cascade.createPlainConsumer(ROOM, 'county-viewer-2', producer.producerId, {
        remoteIp: '127.0.0.1',
        remotePort: second.port,
      });
      expect(await second.more(WANTED_PACKETS)).toBeGreaterThanOrEqual(WANTED_PACKETS);
      // Two consumers on B, one pipe: A sends the producer once, B has one piped copy.
      const piped = (beat: NodeHeartbeat) => beat.load.pipeConsumers === 1;
      expect((await heartbeatUntil(cascade, 'node-a', piped))?.load).toMatchObject({ pipeConsumers: 1 });
      expect((await heartbeatUntil(cascade, 'node-b', (b) => b.load.pipeProducers === 1))?.load).toMatchObject({
        pipeProducers: 1,
        pipeConsumers: 0,
      });

      // Pause on A reaches the consumers on B through the relayed pipe event.
      const paused = new Promise((resolve) => cascade.once('consumerpaused', resolve));
      await cascade.pauseProducer(ROOM, 'city-camera', producer.producerId);
      expect(await paused).toMatchObject({ roomId: ROOM });
      const resumed = new Promise((resolve) => cascade.once('consumerresumed', resolve));
      await cascade.resumeProducer(ROOM, 'city-camera', producer.producerId);
      expect(await resumed).toMatchObject({ roomId: ROOM });

      // One viewer leaves: the other still receives through the same pipe.
      cascade.closePeer(ROOM, 'county-viewer-1');
      expect(await second.more(WANTED_PACKETS)).toBeGreaterThanOrEqual(WANTED_PACKETS);
      expect((await heartbeatUntil(cascade, 'node-a', () => true))?.load.pipeConsumers).toBe(1);

      // The last viewer on B leaves: A stops piping and B's copy closes; the pipe transports stay for the room.
      cascade.closePeer(ROOM, 'county-viewer-2');
      const unpiped = await heartbeatUntil(cascade, 'node-a', (beat) => beat.load.pipeConsumers === 0);
      expect(unpiped?.load).toMatchObject({ pipeConsumers: 0, pipeTransports: 1 });
      const dropped = await heartbeatUntil(cascade, 'node-b', (beat) => beat.load.pipeProducers === 0);
      expect(dropped?.load).toMatchObject({ pipeProducers: 0, pipeTransports: 1 });
    } finally {
      first.close();
      second.close();
    }

    // Node B crashes: within 10 s it is declared dead and the room is sent back to re-join.
    const dead = new Promise<{ nodeId: string }>((resolve) => cascade.registry.on('nodedead', resolve));
    const recreated = new Promise<{ roomIds: string[] }>((resolve) => cascade.once('roomsrecreated', resolve));
    const killedAt = Date.now();
    await nodeB.kill();
    const within10s = <T>(promise: Promise<T>) =>
      Promise.race([promise, sleep(10_000 - (Date.now() - killedAt)).then(() => 'not within 10 s' as const)]);
    expect(await within10s(dead)).toMatchObject({ nodeId: 'node-b' });
    expect(await within10s(recreated)).toMatchObject({ roomIds: [ROOM] });
    console.log(`node-b declared dead ${Date.now() - killedAt} ms after SIGKILL`);
  }, 120_000);
});
