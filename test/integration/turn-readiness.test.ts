/**
 * /readyz with BEACON_TURN=on follows coturn, a real one started by Beacon
 * (a Beacon process, as an operator runs it): the first ready answer already
 * names TURN and a terminal signing in then is offered a relay that works;
 * while coturn is down (kill -9, the supervisor restarts it) the node answers
 * 503 naming turn, and credentials handed out meanwhile work on the new coturn.
 * A coturn that could not start (its port held) is tried again: a terminal
 * that signed in meanwhile gets TURN once it answers.
 */
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IceServer, IceServersResponse } from '@beacon/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CoturnProcess } from '../../signaling/src/turn/CoturnProcess.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { freePortBlock, freeTcpPort } from '../src/ports.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { TurnTestClient } from '../src/turnClient.ts';
import { waitFor } from '../src/waitFor.ts';
import { api, connect, login, ok, startTestNode } from './helpers.ts';

const canRunCoturn = CoturnProcess.available();

interface Readiness {
  status: number;
  body: Record<string, unknown>;
  /** performance.now() when the answer came. */
  at?: number;
}

async function readyz(url: string): Promise<Readiness> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** One Allocate on coturn with a terminal's credentials; false on an error answer or none within 2 s. */
async function allocates(port: number, server: IceServer): Promise<boolean> {
  const client = await TurnTestClient.open({ address: '127.0.0.1', port });
  try {
    const attempt = client.allocate({ username: server.username, password: server.credential });
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2_000));
    const result = await Promise.race([attempt.catch(() => false as const), timeout]);
    return result !== false && result.ok;
  } finally {
    client.close();
  }
}

describe.skipIf(!canRunCoturn)(`/readyz with TURN on${canRunCoturn ? '' : ' (skipped: no turnserver)'}`, () => {
  it('is ready only with coturn answering, and TURN credentials handed out meanwhile work once it is back', async () => {
    const turnPort = await freeTcpPort();
    const relayMin = await freePortBlock(10);
    const beacon = await startBeaconProcess({
      env: {
        BEACON_TURN: 'on',
        BEACON_TURN_PORT: String(turnPort),
        BEACON_TURN_RELAY_PORTS: `${relayMin}-${relayMin + 9}`,
      },
    });
    onTestFinished(() => beacon.stop());

    // The first 200 (startBeaconProcess polls for it): coturn already answers, a terminal signing in now gets it.
    expect(await readyz(beacon.url)).toEqual({
      status: 200,
      body: { status: 'ok', media: true, store: true, turn: true },
    });
    const { token } = await loginApi(beacon.url, 'lucheng');
    const offered = await apiJson<IceServersResponse>(beacon.url, token, '/api/v1/ice-servers');
    expect(offered.iceServers).toHaveLength(1);
    expect(await allocates(turnPort, offered.iceServers[0] as IceServer)).toBe(true);

    const pidFile = path.join(beacon.dataDir, 'turn', 'turnserver.pid');
    const killed = Number((await readFile(pidFile, 'utf8')).trim());
    // Polled from before the kill: the supervisor waits 1 s before it starts coturn again.
    const answers: Readiness[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        answers.push({ ...(await readyz(beacon.url)), at: performance.now() });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    process.kill(killed, 'SIGKILL');
    const down = await waitFor(
      '/readyz says not ready',
      () => answers.find((answer) => answer.status === 503),
      Boolean,
      {
        timeoutMs: 30_000,
        intervalMs: 10,
      },
    );
    // Fetched while coturn is down: a terminal signing in now still gets credentials, valid once it is back.
    const meanwhile = await apiJson<IceServersResponse>(
      beacon.url,
      (await loginApi(beacon.url, 'donggua')).token,
      '/api/v1/ice-servers',
    );
    await waitFor('/readyz ready again', () => answers.at(-1)?.status === 200, Boolean, { timeoutMs: 60_000 });
    polling = false;
    await poller;
    expect(down?.body).toEqual({ status: 'not_ready', media: true, store: true, turn: false });
    const back = answers.find((answer) => answer.status === 200 && (answer.at ?? 0) > (down?.at ?? 0));
    console.log(`coturn kill -9: /readyz answered 503 for ${Math.round((back?.at ?? 0) - (down?.at ?? 0))} ms`);
    const restarted = Number((await readFile(pidFile, 'utf8')).trim());
    expect(restarted).not.toBe(killed);
    expect(meanwhile.iceServers).toHaveLength(1);
    expect(await allocates(turnPort, meanwhile.iceServers[0] as IceServer)).toBe(true);
  });

  it('tries a coturn that could not start again, and a terminal that signed in meanwhile then gets TURN', async () => {
    const turnPort = await freeTcpPort();
    const relayMin = await freePortBlock(10);
    // Something else holds the TURN port: coturn cannot answer there, its start times out (10 s).
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(turnPort, '127.0.0.1', resolve));
    let squatting = true;
    onTestFinished(() => {
      if (squatting) squatter.close();
    });
    const beacon = await startTestNode({
      env: {
        BEACON_TURN: 'on',
        BEACON_TURN_PORT: String(turnPort),
        BEACON_TURN_RELAY_PORTS: `${relayMin}-${relayMin + 9}`,
      },
    });
    onTestFinished(() => beacon.stop());
    const { url } = beacon.node;
    expect(await readyz(url)).toEqual({
      status: 503,
      body: { status: 'not_ready', media: true, store: true, turn: false },
    });
    // A terminal signs in now: no TURN yet.
    const token = await login(url, 'lucheng');
    expect(await (await api(url, token, '/api/v1/ice-servers')).json()).toEqual({ iceServers: [] });
    const socket = await connect(url, token);
    onTestFinished(() => {
      socket.close();
    });
    await ok(socket, 'room:join', { roomId: 'city-weekly' });
    const recv = await ok(socket, 'transport:create', { direction: 'recv' });
    expect(recv).not.toHaveProperty('iceServers');

    squatter.close();
    squatting = false;
    await waitFor(
      '/readyz ready once coturn is tried again',
      async () => (await readyz(url)).status,
      (s) => s === 200,
      {
        timeoutMs: 90_000,
        intervalMs: 250,
      },
    );
    // The terminal's ICE restart (its recovery when a transport fails) now brings TURN, as does the REST route.
    const restart = await ok(socket, 'transport:restartIce', { transportId: recv.id });
    const [server] = restart.iceServers ?? [];
    expect(server?.urls).toContain(`turn:127.0.0.1:${turnPort}?transport=udp`);
    const offered = (await (await api(url, token, '/api/v1/ice-servers')).json()) as IceServersResponse;
    expect(offered.iceServers).toHaveLength(1);
    expect(await allocates(turnPort, server as IceServer)).toBe(true);
  }, 150_000);
});
