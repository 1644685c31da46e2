import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaServer } from '../MediaServer.ts';
import { loopbackOptions } from '../testing.ts';
import { PipeHub } from './PipeHub.ts';

/** Two "nodes" in one process: each its own MediaServer and PipeHub, piped over loopback like two machines. */
describe('PipeHub pipe remotes (real workers)', () => {
  let a: MediaServer;
  let b: MediaServer;

  beforeEach(async () => {
    [a, b] = await Promise.all([
      MediaServer.create(await loopbackOptions()),
      MediaServer.create(await loopbackOptions()),
    ]);
    await Promise.all([a.ensureRoom('r'), b.ensureRoom('r')]);
  });

  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const hub = (media: MediaServer, allow?: readonly string[]) =>
    new PipeHub(media, {
      listenIp: '127.0.0.1',
      announcedAddress: '127.0.0.1',
      portRange: media.options.plainPortRange,
      ...(allow ? { allow } : {}),
    });

  it('connects to another node on loopback by default, and refuses any other address', async () => {
    const [hubA, hubB] = [hub(a), hub(b)];
    const [endA, endB] = await Promise.all([
      hubA.openPipe('r', 'node-b', { enableSrtp: false }),
      hubB.openPipe('r', 'node-a', { enableSrtp: false }),
    ]);
    await expect(hubA.connectPipe('r', 'node-b', { ip: '192.0.2.7', port: endB.port })).rejects.toMatchObject({
      name: 'MediaError',
      code: 'target_not_allowed',
    });
    await expect(hubA.connectPipe('r', 'node-b', { ip: '::ffff:198.51.100.3', port: 4000 })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    // The refused call sent nothing: the transport is still unconnected, so the rightful endpoint connects.
    await hubA.connectPipe('r', 'node-b', endB);
    await hubB.connectPipe('r', 'node-a', endA);
  });

  it('follows an explicit allow-list (MEDIA_NODE_PIPE_ALLOW), which replaces loopback', async () => {
    const strict = hub(a, ['10.20.0.0/24']);
    await strict.openPipe('r', 'node-b', { enableSrtp: false });
    await expect(strict.connectPipe('r', 'node-b', { ip: '127.0.0.1', port: 41_000 })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    // An address inside the list passes the check (mediasoup connects a pipe without a handshake).
    await strict.connectPipe('r', 'node-b', { ip: '10.20.0.31', port: 41_000 });
  });

  it('connects only to the addresses signaling names for the remote node, with no allow-list of its own', async () => {
    const open = hub(a);
    // Registered under a LAN address: loopback, the old default, is not that node.
    await open.openPipe('r', 'node-b', { enableSrtp: false, peerAddresses: ['10.20.0.31'] });
    await expect(open.connectPipe('r', 'node-b', { ip: '127.0.0.1', port: 41_000 })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    await expect(open.connectPipe('r', 'node-b', { ip: '10.20.0.32', port: 41_000 })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    await open.connectPipe('r', 'node-b', { ip: '10.20.0.31', port: 41_000 });
  });

  it('keeps MEDIA_NODE_PIPE_ALLOW as a restriction on top of the named addresses', async () => {
    const strict = hub(a, ['10.20.0.0/24']);
    await strict.openPipe('r', 'node-b', { enableSrtp: false, peerAddresses: ['10.30.0.5', '10.20.0.31'] });
    await expect(strict.connectPipe('r', 'node-b', { ip: '10.30.0.5', port: 41_000 })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    await strict.connectPipe('r', 'node-b', { ip: '10.20.0.31', port: 41_000 });
  });
});
