/**
 * Signaling and a separate media node process over mutual TLS under Beacon's
 * CA: signaling drives the node through an https:// MEDIA_NODES URL; the
 * node lets in nobody without signaling's client certificate; signaling
 * refuses a node whose certificate is not the one it expects; the node
 * writes recordings only under its own directory and sends plain RTP only
 * to allowed gateway addresses and RTP ports, whatever a control call asks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemoteMediaControl } from '@beacon/signaling/media-nodes';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificates } from '../../signaling/src/tls/CertificateAuthority.ts';
import { issueMediaNodeCertificate, signalingClientTls } from '../../signaling/src/tls/mediaNodeCertificates.ts';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';
import { connect, login, makeDataDir, ok, startTestNode, type TestNode } from './helpers.ts';

const NODE_ID = 'tls-node';

/** The first of connect / connect_error of a raw socket.io client of the node's control port. */
function handshake(url: string, tls: Record<string, string>, key: string): Promise<'connected' | string> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, auth: { key }, ...tls });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  }).finally(() => socket.close()) as Promise<'connected' | string>;
}

describe('media node control over mutual TLS (signaling + a media node process)', () => {
  const key = mediaNodeKey();
  let dataDir: string;
  let caDir: string;
  let nodeTls: { cert: string; key: string; ca: string };
  let node: MediaNodeProcess;
  let recordingsDir: string;
  let beacon: TestNode;

  beforeAll(async () => {
    dataDir = await makeDataDir();
    caDir = path.join(dataDir, 'tls');
    recordingsDir = await mkdtemp(path.join(tmpdir(), 'beacon-node-recordings-'));
    // Beacon's CA as signaling makes it; the node's certificate as `npm run media-node-cert` issues it.
    await ensureCertificates({ dir: caDir, names: ['127.0.0.1', 'localhost'] });
    const issued = await issueMediaNodeCertificate({
      dir: caDir,
      nodeId: NODE_ID,
      names: ['127.0.0.1'],
      outDir: path.join(dataDir, 'node-tls'),
    });
    nodeTls = {
      cert: await readFile(issued.certPath, 'utf8'),
      key: await readFile(issued.keyPath, 'utf8'),
      ca: await readFile(issued.caPath, 'utf8'),
    };
    node = await startMediaNode({
      nodeId: NODE_ID,
      region: 'city',
      key,
      env: {
        MEDIA_NODE_TLS_CERT: issued.certPath,
        MEDIA_NODE_TLS_KEY: issued.keyPath,
        MEDIA_NODE_TLS_CA: issued.caPath,
        MEDIA_NODE_RECORDINGS_DIR: recordingsDir,
        // The gateway's default RTP ports, as a node in production has them.
        MEDIA_NODE_PLAIN_TARGET_PORTS: '42000-42999',
      },
    });
    expect(node.url).toMatch(/^https:/);
    beacon = await startTestNode({ dataDir, env: { MEDIA_NODES: node.url, MEDIA_NODE_KEY: key, BEACON_SIP: 'off' } });
  }, 90_000);

  afterAll(async () => {
    await beacon?.stop();
    await node?.stop();
    await rm(recordingsDir, { recursive: true, force: true });
  });

  it("puts a participant's media on the node, reached over mutual TLS", async () => {
    const duty = await connect(beacon.node.url, await login(beacon.node.url, 'duty'));
    try {
      await ok(duty, 'room:join', { roomId: 'city-weekly' });
      const transport = await ok(duty, 'transport:create', { direction: 'send' });
      expect(transport.iceCandidates.length).toBeGreaterThan(0);
      // The node's heartbeats (every 2 s) report the transport: it was made there, over the TLS channel.
      await expect.poll(() => beacon.node.media.counts().transports, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    } finally {
      duty.close();
    }
  });

  it("lets in only signaling's client certificate of Beacon's CA", async () => {
    const client = await signalingClientTls({ dir: caDir });
    expect(await handshake(node.url, { ca: client.ca, cert: client.cert, key: client.key }, key)).toBe('connected');
    // No certificate: the TLS handshake itself fails.
    expect(await handshake(node.url, { ca: client.ca }, key)).not.toBe('connected');
    // The node's own certificate (Beacon's CA, but a server's): not signaling.
    expect(await handshake(node.url, { ca: client.ca, cert: nodeTls.cert, key: nodeTls.key }, key)).not.toBe(
      'connected',
    );
    // A certificate of another CA.
    const stranger = path.join(dataDir, 'stranger-tls');
    await ensureCertificates({ dir: stranger, names: ['127.0.0.1'] });
    const strangerClient = await signalingClientTls({ dir: stranger });
    expect(
      await handshake(node.url, { ca: client.ca, cert: strangerClient.cert, key: strangerClient.key }, key),
    ).not.toBe('connected');
  });

  it('refuses a node whose certificate is not the one expected: another id, or a name it does not cover', async () => {
    const tls = await signalingClientTls({ dir: caDir });
    const wrongId = new RemoteMediaControl({ url: node.url, key, tls, expectedNodeId: 'county-9' });
    const wrongHost = new RemoteMediaControl({ url: node.url.replace('127.0.0.1', 'localhost'), key, tls });
    const right = new RemoteMediaControl({ url: node.url, key, tls, expectedNodeId: NODE_ID });
    try {
      // The same node, CA and client certificate: only the identity expected differs from the client that works.
      const [idError, hostError, beat] = await Promise.all([
        new Promise<Error>((resolve) => wrongId.once('connecterror', resolve)),
        new Promise<Error>((resolve) => wrongHost.once('connecterror', resolve)),
        new Promise<{ nodeId: string }>((resolve) => right.once('heartbeat', resolve)),
      ]);
      expect(idError).toBeInstanceOf(Error);
      expect(hostError).toBeInstanceOf(Error);
      expect(beat.nodeId).toBe(NODE_ID);
      expect(wrongId.connected).toBe(false);
      expect(wrongHost.connected).toBe(false);
    } finally {
      await Promise.all([wrongId.close(), wrongHost.close(), right.close()]);
    }
  });

  it('writes recordings only under its own directory and sends plain RTP only to allowed addresses and ports', async () => {
    const control = new RemoteMediaControl({ url: node.url, key, tls: await signalingClientTls({ dir: caDir }) });
    try {
      await new Promise((resolve) => control.once('heartbeat', resolve));
      await control.ensureRoom('tls-room');
      await expect(control.startRecording('tls-room', { recordingId: '../../etc/cron.d/x' })).rejects.toMatchObject({
        code: 'recording_id_invalid',
      });
      // A directory in the call is refused outright (the control API takes an id, never a path).
      const withDirectory = { recordingId: 'ok-id', directory: '/tmp' } as { recordingId: string };
      await expect(control.startRecording('tls-room', withDirectory)).rejects.toMatchObject({ code: 'bad_request' });
      const mic = await control.createPlainProducer('tls-room', 'gateway', {
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000, channels: 1 }],
          encodings: [{ ssrc: 1234 }],
        },
      });
      await expect(
        control.createPlainConsumer('tls-room', 'tap', mic.producerId, { remoteIp: '192.0.2.44', remotePort: 5004 }),
      ).rejects.toMatchObject({ code: 'target_not_allowed' });
      // An allowed address, but not one of the gateway's RTP ports (Kamailio's SIP port here).
      await expect(
        control.createPlainConsumer('tls-room', 'tap', mic.producerId, { remoteIp: '127.0.0.1', remotePort: 5060 }),
      ).rejects.toMatchObject({ code: 'target_not_allowed' });
      const tap = await control.createPlainConsumer('tls-room', 'tap', mic.producerId, {
        remoteIp: '127.0.0.1',
        remotePort: 42_010,
      });
      expect(tap.consumerId).toBeTruthy();
    } finally {
      control.closeRoom('tls-room');
      await control.close();
    }
  });
});
