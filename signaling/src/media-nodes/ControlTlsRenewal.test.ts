import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { certificateUris, SIGNALING_CLIENT_URI } from '@beacon/common';
import { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates, issuedBy } from '../tls/CertificateAuthority.ts';
import { type ControlTls, issueMediaNodeCertificate, signalingClientTls } from '../tls/mediaNodeCertificates.ts';
import { ControlTlsRenewal } from './ControlTlsRenewal.ts';
import { RemoteMediaControl } from './RemoteMediaControl.ts';

const HOUR = 3_600_000;

describe('ControlTlsRenewal (signaling client certificate renewed while running)', () => {
  let root: string;
  let dir: string;
  let renewal: ControlTlsRenewal | undefined;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'beacon-client-renewal-'));
    dir = path.join(root, 'tls');
    await ensureCertificates({ dir, names: ['127.0.0.1'] });
  });

  afterEach(async () => {
    renewal?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('renews a short-lived certificate once two thirds of its life are gone, and hands it over once', async () => {
    // A one-day certificate: due at 16 h.
    const first = await signalingClientTls({ dir, validityDays: 1 });
    const issuedAt = Date.parse(new X509Certificate(first.cert).validFrom);
    const handed: ControlTls[] = [];
    renewal = new ControlTlsRenewal({ dir, current: first, onRenewed: (tls) => handed.push(tls), validityDays: 1 });

    expect(await renewal.check(new Date(issuedAt + 15 * HOUR))).toBe(false);
    expect(handed).toEqual([]);
    expect(await renewal.check(new Date(issuedAt + 17 * HOUR))).toBe(true);
    expect(handed).toHaveLength(1);
    const renewed = handed[0] as ControlTls;
    expect(renewed.cert).not.toBe(first.cert);
    expect(renewed.key).not.toBe(first.key);
    // Still signaling's client certificate under the same CA.
    expect(issuedBy(renewed.cert, renewed.ca)).toBe(true);
    expect(certificateUris(new X509Certificate(renewed.cert).subjectAltName)).toEqual([SIGNALING_CLIENT_URI]);
    // The renewed one is fresh (issued now): nothing more to hand over.
    expect(await renewal.check(new Date())).toBe(false);
    expect(handed).toHaveLength(1);
    // And what signaling reads at its next start is the renewed one.
    expect((await signalingClientTls({ dir })).cert).toBe(renewed.cert);
  });

  it('keeps the current certificate when renewal fails (no CA any more), and says so', async () => {
    const first = await signalingClientTls({ dir, validityDays: 1 });
    const handed: ControlTls[] = [];
    renewal = new ControlTlsRenewal({ dir, current: first, onRenewed: (tls) => handed.push(tls) });
    await rm(path.join(dir, 'ca.crt'));
    expect(await renewal.check(new Date(Date.now() + 20 * HOUR))).toBe(false);
    expect(handed).toEqual([]);
  });
});

describe('RemoteMediaControl.updateTls (a renewed client certificate on reconnection)', () => {
  it('presents the renewed certificate when its connection is re-made', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'beacon-client-reconnect-'));
    const dir = path.join(root, 'tls');
    await ensureCertificates({ dir, names: ['127.0.0.1'] });
    const nodeCert = await issueMediaNodeCertificate({
      dir,
      nodeId: 'stand-in',
      names: ['127.0.0.1'],
      outDir: path.join(root, 'node'),
    });
    // A stand-in for a node's control port: mutual TLS, and a record of each connection's client certificate.
    const https = createServer({
      cert: await readFile(nodeCert.certPath, 'utf8'),
      key: await readFile(nodeCert.keyPath, 'utf8'),
      ca: await readFile(nodeCert.caPath, 'utf8'),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const io = new Server(https, { transports: ['websocket'] });
    const seen: string[] = [];
    io.on('connection', (socket) => {
      const tlsSocket = socket.request.socket as import('node:tls').TLSSocket;
      seen.push(tlsSocket.getPeerCertificate().serialNumber);
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
    const first = await signalingClientTls({ dir, validityDays: 1 });
    const control = new RemoteMediaControl({ url, key: 'k'.repeat(32), tls: first });
    try {
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1);
      expect(seen[0]).toBe(new X509Certificate(first.cert).serialNumber);
      const renewed = await signalingClientTls({ dir, now: new Date(Date.now() + 17 * HOUR) });
      control.updateTls(renewed);
      // The connection drops (a network blip): the client reconnects by itself, with the renewed certificate.
      for (const socket of io.sockets.sockets.values()) socket.conn.close();
      await expect.poll(() => seen.length, { timeout: 15_000 }).toBe(2);
      expect(seen[1]).toBe(new X509Certificate(renewed.cert).serialNumber);
    } finally {
      await control.close();
      await io.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
