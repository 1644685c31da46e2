/**
 * Cascade pipes go only between registered media nodes (two media node
 * processes on loopback, driven as signaling drives them): a node that
 * reports a pipe endpoint other than an address it is registered under (here
 * node B, registered at 127.0.0.1, listening on 127.0.0.2) is refused by
 * signaling before either end connects; and a node told the other node's
 * registered addresses connects its pipe to nothing else, with no
 * MEDIA_NODE_PIPE_ALLOW of its own.
 */
import { loopbackOptions } from '@beacon/media-server/testing';
import {
  CascadedMediaControl,
  InMemoryMediaNodeRegistry,
  type PipeRefusal,
  RemoteMediaControl,
} from '@beacon/signaling/media-nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';

const VP8 = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }],
  encodings: [{ ssrc: 22_222_222 }],
};

describe('cascade pipes only to the registered media node', () => {
  const key = mediaNodeKey();
  let nodeA: MediaNodeProcess;
  let nodeB: MediaNodeProcess;
  const refusals: PipeRefusal[] = [];
  let cascade: CascadedMediaControl;

  beforeAll(async () => {
    const media = await loopbackOptions(1);
    [nodeA, nodeB] = await Promise.all([
      startMediaNode({ nodeId: 'node-a', region: 'city', key }),
      // Registered (its control URL) at 127.0.0.1, but its media, pipes included, on 127.0.0.2.
      startMediaNode({
        nodeId: 'node-b',
        region: 'county',
        key,
        env: {
          MEDIA_NODE_LISTEN_IP: '127.0.0.2',
          MEDIA_NODE_ANNOUNCED_ADDRESS: '127.0.0.2',
          MEDIA_NODE_RTC_PORT_BASE: String(media.rtcPortBase),
        },
      }),
    ]);
    cascade = await CascadedMediaControl.create({
      nodeUrls: [nodeA.url, nodeB.url],
      key,
      registry: new InMemoryMediaNodeRegistry(),
      regionOf: (_roomId, peerId) => (peerId.startsWith('city-') ? 'city' : 'county'),
      onPipeRefused: (refusal) => refusals.push(refusal),
    });
  }, 60_000);

  afterAll(async () => {
    await cascade?.close();
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  });

  it('refuses a pipe whose endpoint is not an address of the node it belongs to, before connecting either end', async () => {
    await cascade.ensureRoom('drill');
    const producer = await cascade.createPlainProducer('drill', 'city-camera', { kind: 'video', rtpParameters: VP8 });
    expect(cascade.nodeOfPeer('drill', 'city-camera')).toBe('node-a');
    await expect(
      cascade.createPlainConsumer('drill', 'county-viewer', producer.producerId, {
        remoteIp: '127.0.0.1',
        remotePort: 42_010,
      }),
    ).rejects.toMatchObject({ name: 'MediaError', code: 'pipe_endpoint_not_registered' });
    expect(cascade.nodeOfPeer('drill', 'county-viewer')).toBe('node-b');
    expect(refusals).toEqual([
      {
        roomId: 'drill',
        nodeId: 'node-b',
        peerNodeId: 'node-a',
        ip: '127.0.0.2',
        port: expect.any(Number),
        registered: ['127.0.0.1'],
      },
    ]);
    // Nothing piped, and both transports of the refused link were closed again.
    const load = (nodeId: string) =>
      new Promise<{ pipeTransports: number; pipeConsumers: number }>((resolve) =>
        cascade.node(nodeId).once('heartbeat', (beat) => resolve(beat.load)),
      );
    expect(await load('node-a')).toMatchObject({ pipeTransports: 0, pipeConsumers: 0 });
    expect(await load('node-b')).toMatchObject({ pipeTransports: 0 });
  });

  it('a node connects a pipe only to the addresses signaling names for the other node, loopback or not', async () => {
    const control = new RemoteMediaControl({ url: nodeA.url, key });
    try {
      await new Promise((resolve) => control.once('heartbeat', resolve));
      await control.ensureRoom('direct');
      await control.call('openPipe', {
        roomId: 'direct',
        remoteNodeId: 'node-x',
        enableSrtp: false,
        peerAddresses: ['127.0.0.1'],
      });
      // Loopback, but not the address named for node-x.
      await expect(
        control.call('connectPipe', {
          roomId: 'direct',
          remoteNodeId: 'node-x',
          remote: { ip: '127.0.0.3', port: 41_000 },
        }),
      ).rejects.toMatchObject({ code: 'target_not_allowed' });
      // A node on the LAN, named by signaling: no MEDIA_NODE_PIPE_ALLOW is needed (mediasoup connects a pipe
      // without a handshake, so nothing needs to answer there).
      await control.call('openPipe', {
        roomId: 'direct',
        remoteNodeId: 'node-y',
        enableSrtp: false,
        peerAddresses: ['192.0.2.10'],
      });
      await control.call('connectPipe', {
        roomId: 'direct',
        remoteNodeId: 'node-y',
        remote: { ip: '192.0.2.10', port: 41_000 },
      });
    } finally {
      control.closeRoom('direct');
      await control.close();
    }
  });
});
