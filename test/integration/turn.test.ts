/**
 * TURN with a real coturn started by CoturnProcess on loopback (random
 * ports), driven by a real TURN client over UDP (test/src/turnClient.ts):
 * credentials minted as signaling mints them allocate and relay to the media
 * address; expired, missing and wrongly signed credentials get 401; relaying
 * anywhere else gets 403. Then a Beacon node with BEACON_TURN=on hands those
 * credentials out with its transports and on GET /api/v1/ice-servers.
 */
import { spawn } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { IceServersResponse } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ensureCertificates } from '../../signaling/src/tls/CertificateAuthority.ts';
import { CoturnProcess, type CoturnProcessOptions, stunBinding } from '../../signaling/src/turn/CoturnProcess.ts';
import { TurnCredentials, turnUrls } from '../../signaling/src/turn/TurnCredentials.ts';
import { TurnError } from '../../signaling/src/turn/TurnError.ts';
import { TurnService } from '../../signaling/src/turn/TurnService.ts';
import { freePortBlock, freeTcpPort } from '../src/ports.ts';
import { TurnTestClient } from '../src/turnClient.ts';
import { api, login, ok, useTestNode } from './helpers.ts';

const canRunCoturn = CoturnProcess.available();

/** Ten relay ports for coturn. */
async function relayPorts(): Promise<{ min: number; max: number }> {
  const min = await freePortBlock(10);
  return { min, max: min + 9 };
}

/** The media server's stand-in: a UDP socket on the one allowed address that echoes what it gets. */
async function echoPeer(): Promise<{ socket: Socket; port: number; received: { from: string; data: string }[] }> {
  const socket = createSocket('udp4');
  const received: { from: string; data: string }[] = [];
  socket.on('message', (data, from) => {
    received.push({ from: `${from.address}:${from.port}`, data: data.toString() });
    socket.send(Buffer.concat([Buffer.from('echo:'), data]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, received };
}

describe.skipIf(!canRunCoturn)(
  `coturn with TURN REST credentials${canRunCoturn ? '' : ' (skipped: no turnserver)'}`,
  () => {
    const secret = randomBytes(24).toString('base64url');
    let workDir: string;
    let coturn: CoturnProcess;
    let coturnOptions: CoturnProcessOptions;
    let server: { address: string; port: number };
    let credentials: TurnCredentials;
    let peer: Awaited<ReturnType<typeof echoPeer>>;
    const clients: TurnTestClient[] = [];
    const client = async () => {
      const c = await TurnTestClient.open(server);
      clients.push(c);
      return c;
    };

    beforeAll(async () => {
      workDir = await mkdtemp(path.join(os.tmpdir(), 'beacon-turn-'));
      const port = await freeTcpPort();
      server = { address: '127.0.0.1', port };
      coturnOptions = {
        workDir,
        listenIp: '127.0.0.1',
        port,
        announcedIp: '127.0.0.1',
        relayPorts: await relayPorts(),
        secret,
        allowedPeers: ['127.0.0.1'],
        restartDelayMs: 200,
      };
      coturn = new CoturnProcess(coturnOptions);
      const startedAt = performance.now();
      await coturn.start();
      console.info(`coturn answered STUN ${(performance.now() - startedAt).toFixed(0)} ms after spawn`);
      credentials = new TurnCredentials({ secret, ttlSeconds: 600, urls: turnUrls('127.0.0.1', port) });
      peer = await echoPeer();
    });

    afterAll(async () => {
      for (const c of clients) c.close();
      peer?.socket.close();
      await coturn?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('renders its config with the secret readable only by us', async () => {
      const conf = await readFile(coturn.config.configPath, 'utf8');
      expect(conf).toContain(`static-auth-secret=${secret}`);
      expect(conf).toContain('allowed-peer-ip=127.0.0.1');
      expect((await stat(coturn.config.configPath)).mode & 0o777).toBe(0o600);
    });

    it('allocates with minted credentials and relays to the allowed media address and back', async () => {
      const c = await client();
      const { username, credential } = credentials.mint('u-lucheng');
      const allocation = await c.allocate({ username, password: credential });
      expect(allocation).toMatchObject({ ok: true, relayed: { address: '127.0.0.1' } });
      if (!allocation.ok) return;
      expect(allocation.relayed.port).toBeGreaterThanOrEqual(coturn.config.relayPorts.min);
      expect(allocation.relayed.port).toBeLessThanOrEqual(coturn.config.relayPorts.max);

      expect(await c.createPermission('127.0.0.1')).toEqual({ ok: true });
      c.send({ address: '127.0.0.1', port: peer.port }, Buffer.from('township hello'));
      const back = await c.nextData();
      expect(back.data.toString()).toBe('echo:township hello');
      expect(back.peer).toEqual({ address: '127.0.0.1', port: peer.port });
      // The peer saw the relayed address, not the client's own.
      expect(peer.received).toContainEqual({
        from: `127.0.0.1:${allocation.relayed.port}`,
        data: 'township hello',
      });
    });

    it('refuses expired credentials with 401', async () => {
      const { username, credential } = credentials.mint('u-lucheng', -60);
      expect(await (await client()).allocate({ username, password: credential })).toMatchObject({
        ok: false,
        code: 401,
      });
    });

    it('refuses a client without credentials with 401', async () => {
      expect(await (await client()).allocate()).toMatchObject({ ok: false, code: 401 });
    });

    it('refuses credentials signed with another secret with 401', async () => {
      const other = new TurnCredentials({ secret: 'x'.repeat(40), ttlSeconds: 600, urls: ['turn:x:1'] });
      const { username, credential } = other.mint('u-lucheng');
      expect(await (await client()).allocate({ username, password: credential })).toMatchObject({
        ok: false,
        code: 401,
      });
    });

    it('refuses to relay to any address but the media server’s (403)', async () => {
      const c = await client();
      const { username, credential } = credentials.mint('u-lucheng');
      expect((await c.allocate({ username, password: credential })).ok).toBe(true);
      // Another loopback address, and a documentation-range host standing for the LAN: both denied before any packet.
      expect(await c.createPermission('127.0.0.2')).toMatchObject({ ok: false, code: 403 });
      expect(await c.createPermission('198.51.100.7')).toMatchObject({ ok: false, code: 403 });
      expect(await c.createPermission('127.0.0.1')).toEqual({ ok: true });
    });

    it('restarts coturn after it dies, and relays again', async () => {
      const oldPid = coturn.pid as number;
      const restarted = new Promise<number>((resolve) => coturn.once('restarted', resolve));
      process.kill(oldPid, 'SIGKILL');
      const newPid = await restarted;
      expect(newPid).not.toBe(oldPid);
      const { username, credential } = credentials.mint('u-lucheng');
      expect((await (await client()).allocate({ username, password: credential })).ok).toBe(true);
    });

    it('stops a coturn left over from a killed Beacon before starting its own', async () => {
      await coturn.stop();
      // What a SIGKILLed Beacon leaves behind: coturn still running on our config, holding the ports.
      const orphan = spawn('turnserver', ['-c', coturn.config.configPath], { stdio: 'ignore' });
      const orphanGone = new Promise((resolve) => orphan.once('exit', resolve));
      onTestFinished(() => {
        if (orphan.exitCode === null && orphan.signalCode === null) orphan.kill('SIGKILL');
      });
      await expect.poll(() => stunBinding('127.0.0.1', server.port, 200), { timeout: 10_000 }).toBe(true);
      coturn = new CoturnProcess(coturnOptions);
      await coturn.start();
      await orphanGone;
      expect(coturn.pid).not.toBe(orphan.pid);
      const { username, credential } = credentials.mint('u-lucheng');
      expect((await (await client()).allocate({ username, password: credential })).ok).toBe(true);
    });

    it('says turn_not_installed when the binary is missing', async () => {
      const missing = new CoturnProcess({
        workDir,
        listenIp: '127.0.0.1',
        port: server.port,
        announcedIp: '127.0.0.1',
        relayPorts: await relayPorts(),
        secret,
        allowedPeers: ['127.0.0.1'],
        binary: '/nonexistent/turnserver',
      });
      const error = await missing.start().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TurnError);
      expect((error as TurnError).code).toBe('turn_not_installed');
    });
  },
);

describe.skipIf(!canRunCoturn)('TURN over TLS (turns:) with Beacon’s certificate', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'beacon-turns-'));
  const tlsPort = await freeTcpPort();
  const turnPort = await freeTcpPort();
  const peer = await echoPeer();
  let certs: Awaited<ReturnType<typeof ensureCertificates>>;
  let turn: TurnService;
  const clients: TurnTestClient[] = [];

  beforeAll(async () => {
    certs = await ensureCertificates({ dir: path.join(dataDir, 'tls'), names: ['127.0.0.1', 'localhost'] });
    turn = new TurnService({
      config: {
        dataDir,
        turn: { enabled: true, port: turnPort, tlsPort, secret: null, ttlSeconds: 600, relayPorts: await relayPorts() },
        media: { listenIp: '127.0.0.1' },
      },
      announcedAddress: '127.0.0.1',
      tls: { cert: certs.cert, key: certs.key },
    });
    await turn.start();
    expect(turn.failure).toBeNull();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    peer.socket.close();
    await turn?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const tlsClient = async (ca: string) => {
    const c = await TurnTestClient.openTls({ address: '127.0.0.1', port: tlsPort }, ca);
    clients.push(c);
    return c;
  };

  it('hands out a turns: URL, and a client trusting Beacon’s CA allocates and relays over TLS', async () => {
    const [ice] = turn.iceServersFor('u-lucheng') ?? [];
    expect(ice?.urls).toContain(`turns:127.0.0.1:${tlsPort}?transport=tcp`);
    const c = await tlsClient(certs.caCert);
    const allocation = await c.allocate({ username: ice?.username ?? '', password: ice?.credential ?? '' });
    expect(allocation).toMatchObject({ ok: true, relayed: { address: '127.0.0.1' } });
    expect(await c.createPermission('127.0.0.1')).toEqual({ ok: true });
    c.send({ address: '127.0.0.1', port: peer.port }, Buffer.from('over tls'));
    expect((await c.nextData()).data.toString()).toBe('echo:over tls');
    // The key coturn reads is not world-readable.
    expect((await stat(path.join(dataDir, 'turn', 'tls', 'server.key'))).mode & 0o077).toBe(0);
  });

  it('refuses a client without credentials (401), and a client that does not trust the CA cannot complete TLS', async () => {
    expect(await (await tlsClient(certs.caCert)).allocate()).toMatchObject({ ok: false, code: 401 });
    const stranger = await ensureCertificates({ dir: path.join(dataDir, 'other-ca'), names: ['127.0.0.1'] });
    await expect(tlsClient(stranger.caCert)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('a renewed certificate restarts coturn with it', async () => {
    const renewed = await ensureCertificates({
      dir: path.join(dataDir, 'tls'),
      names: ['127.0.0.1', 'localhost'],
      // 380 days on, the 397-day certificate is due for renewal (same CA).
      now: new Date(Date.now() + 380 * 86_400_000),
    });
    expect(renewed.action).toBe('issued');
    await turn.updateCertificate({ cert: renewed.cert, key: renewed.key });
    const served = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, ca: certs.caCert }, () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(served).toBe(new X509Certificate(renewed.cert).fingerprint256);
    const [ice] = turn.iceServersFor('u-donggua') ?? [];
    const allocation = await (await tlsClient(certs.caCert)).allocate({
      username: ice?.username ?? '',
      password: ice?.credential ?? '',
    });
    expect(allocation.ok).toBe(true);
  });
});

describe.skipIf(!canRunCoturn)('a Beacon node with BEACON_TURN=on', async () => {
  const turnPort = await freeTcpPort();
  const { min, max } = await relayPorts();
  const t = useTestNode({
    env: { BEACON_TURN: 'on', BEACON_TURN_PORT: String(turnPort), BEACON_TURN_RELAY_PORTS: `${min}-${max}` },
  });

  it('hands each transport fresh TURN credentials that coturn accepts', async () => {
    const socket = await t.client('lucheng');
    await ok(socket, 'room:join', { roomId: 'city-weekly' });
    const recv = await ok(socket, 'transport:create', { direction: 'recv' });
    const [ice] = recv.iceServers ?? [];
    expect(ice?.urls).toEqual([`turn:127.0.0.1:${turnPort}?transport=udp`, `turn:127.0.0.1:${turnPort}?transport=tcp`]);
    expect(ice?.username).toMatch(/^\d+:\S+$/);
    const expiry = Number(ice?.username.split(':')[0]);
    expect(expiry - Date.now() / 1000).toBeGreaterThan(43_200 - 60);
    // An ICE restart (network back after a drop) brings fresh credentials too.
    const restart = await ok(socket, 'transport:restartIce', { transportId: recv.id });
    expect(restart.iceServers?.[0]?.urls).toEqual(ice?.urls);

    const c = await TurnTestClient.open({ address: '127.0.0.1', port: turnPort });
    try {
      const allocation = await c.allocate({ username: ice?.username ?? '', password: ice?.credential ?? '' });
      expect(allocation).toMatchObject({ ok: true, relayed: { address: '127.0.0.1' } });
      // The media server (127.0.0.1 here) is the one peer allowed.
      expect(await c.createPermission('127.0.0.1')).toEqual({ ok: true });
      expect(await c.createPermission('127.0.0.2')).toMatchObject({ ok: false, code: 403 });
    } finally {
      c.close();
    }
  });

  it('GET /api/v1/ice-servers gives the caller its credentials, and nothing without a token', async () => {
    const token = await login(t.url, 'lucheng');
    const res = await api(t.url, token, '/api/v1/ice-servers');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as IceServersResponse;
    expect(body.iceServers).toHaveLength(1);
    expect(body.iceServers[0]?.urls).toContain(`turn:127.0.0.1:${turnPort}?transport=udp`);
    expect((await api(t.url, undefined, '/api/v1/ice-servers')).status).toBe(401);
  });
});

describe('a Beacon node with TURN off (the default)', () => {
  const t = useTestNode();

  it('hands out no ICE servers', async () => {
    const socket = await t.client('lucheng');
    await ok(socket, 'room:join', { roomId: 'city-weekly' });
    const recv = await ok(socket, 'transport:create', { direction: 'recv' });
    expect(recv).not.toHaveProperty('iceServers');
    const token = await login(t.url, 'lucheng');
    expect(await (await api(t.url, token, '/api/v1/ice-servers')).json()).toEqual({ iceServers: [] });
  });
});
