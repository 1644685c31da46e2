/**
 * Certificate renewal on the media node control channel, with a real node
 * process and short-lived (1 day) certificates: `npm run media-node-cert --
 * --renew` re-issues the node's certificate for the same node id; the node
 * serves it after SIGHUP without dropping its control connection or rooms;
 * signaling's client certificate, renewed while it runs, is what its later
 * connections present.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { certificateNodeId } from '@beacon/common';
import { RemoteMediaControl } from '@beacon/signaling/media-nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificates } from '../../signaling/src/tls/CertificateAuthority.ts';
import {
  type ControlTls,
  issueMediaNodeCertificate,
  signalingClientTls,
} from '../../signaling/src/tls/mediaNodeCertificates.ts';
import { REPO_ROOT } from '../src/beaconProcess.ts';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';
import { makeDataDir } from './helpers.ts';

const run = promisify(execFile);
const NODE_ID = 'renewing-node';

/** The serial of the certificate the node presents to a new handshake (signaling's client certificate offered). */
function servedSerial(url: string, client: ControlTls): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: '127.0.0.1', port: Number(port), ca: client.ca, cert: client.cert, key: client.key },
      () => {
        resolve(socket.getPeerCertificate().serialNumber);
        socket.end();
      },
    );
    socket.once('error', reject);
  });
}

describe('media node certificate renewal (a node process, 1-day certificates)', () => {
  const key = mediaNodeKey();
  let dataDir: string;
  let caDir: string;
  let nodeDir: string;
  let node: MediaNodeProcess;

  beforeAll(async () => {
    dataDir = await makeDataDir();
    caDir = path.join(dataDir, 'tls');
    nodeDir = path.join(dataDir, 'node-tls');
    await ensureCertificates({ dir: caDir, names: ['127.0.0.1', 'localhost'] });
    const issued = await issueMediaNodeCertificate({
      dir: caDir,
      nodeId: NODE_ID,
      names: ['127.0.0.1'],
      outDir: nodeDir,
      validityDays: 1,
    });
    node = await startMediaNode({
      nodeId: NODE_ID,
      region: 'city',
      key,
      env: {
        MEDIA_NODE_TLS_CERT: issued.certPath,
        MEDIA_NODE_TLS_KEY: issued.keyPath,
        MEDIA_NODE_TLS_CA: issued.caPath,
        // Only SIGHUP here: the file watch is tested on its own (tlsFileReload.test.ts).
        MEDIA_NODE_TLS_WATCH_MS: '3600000',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await node?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('re-issues the node certificate with --renew (same id) and serves it after SIGHUP, keeping its rooms', async () => {
    const client = await signalingClientTls({ dir: caDir, validityDays: 1 });
    const control = new RemoteMediaControl({ url: node.url, key, tls: client, expectedNodeId: NODE_ID });
    try {
      await new Promise((resolve) => control.once('heartbeat', resolve));
      await control.ensureRoom('renewal-room');
      await control.createWebRtcTransport('renewal-room', 'chair', 'send');
      const before = new X509Certificate(await readFile(path.join(nodeDir, 'node.crt'), 'utf8'));
      expect(await servedSerial(node.url, client)).toBe(before.serialNumber);

      // The operator's command, as the README gives it.
      const cli = await run(
        process.execPath,
        [
          '--conditions=beacon-source',
          '--import',
          'tsx',
          'signaling/src/tls/mediaNodeCertCli.ts',
          '--renew',
          '--out',
          nodeDir,
          '--node-id',
          NODE_ID,
        ],
        { cwd: REPO_ROOT, env: { ...process.env, BEACON_DATA_DIR: dataDir } },
      );
      expect(cli.stdout).toContain(`media node ${NODE_ID} (renewed)`);
      const after = new X509Certificate(await readFile(path.join(nodeDir, 'node.crt'), 'utf8'));
      expect(after.serialNumber).not.toBe(before.serialNumber);
      expect(certificateNodeId(after.subjectAltName)).toBe(NODE_ID);
      expect(Date.parse(after.validTo)).toBeGreaterThan(Date.parse(before.validTo));
      // Not yet loaded: the node serves what it started with until told.
      expect(await servedSerial(node.url, client)).toBe(before.serialNumber);

      node.child.kill('SIGHUP');
      await expect.poll(() => servedSerial(node.url, client), { timeout: 15_000 }).toBe(after.serialNumber);
      // The node is the same process, its control connection and room are still there.
      expect(node.child.exitCode).toBeNull();
      expect(control.connected).toBe(true);
      const beat = await new Promise<{ load: { rooms: number; transports: number } }>((resolve) =>
        control.once('heartbeat', resolve),
      );
      expect(beat.load).toMatchObject({ rooms: 1, transports: 1 });
      await control.createWebRtcTransport('renewal-room', 'chair', 'recv');
      // A new connection verifies the renewed certificate (same id, the identity checks pass).
      const fresh = new RemoteMediaControl({ url: node.url, key, tls: client, expectedNodeId: NODE_ID });
      try {
        await new Promise((resolve) => fresh.once('heartbeat', resolve));
        expect(fresh.connected).toBe(true);
      } finally {
        await fresh.close();
      }
    } finally {
      await control.close();
    }
  });

  it("connects with signaling's renewed client certificate once it is handed over", async () => {
    const first = await signalingClientTls({ dir: caDir, validityDays: 1 });
    const control = new RemoteMediaControl({ url: node.url, key, tls: first, expectedNodeId: NODE_ID });
    try {
      await new Promise((resolve) => control.once('heartbeat', resolve));
      // Two thirds of a day later the certificate is renewed (ControlTlsRenewal does this daily).
      const renewed = await signalingClientTls({ dir: caDir, now: new Date(Date.now() + 17 * 3_600_000) });
      expect(renewed.cert).not.toBe(first.cert);
      control.updateTls(renewed);
      // The open connection stays; the node accepts the renewed certificate on a new one.
      expect(control.connected).toBe(true);
      const fresh = new RemoteMediaControl({ url: node.url, key, tls: renewed, expectedNodeId: NODE_ID });
      try {
        await new Promise((resolve) => fresh.once('heartbeat', resolve));
        await fresh.ensureRoom('renewed-client-room');
      } finally {
        await fresh.close();
      }
    } finally {
      await control.close();
    }
  });
});
