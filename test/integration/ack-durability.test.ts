/**
 * An ack answered ok is never lost (签收不丢): Beacon runs as a child process,
 * 15 township terminals acknowledge one warning concurrently, the process is
 * SIGKILLed in the middle, and after a restart on the same data directory
 * every ack that was answered ok is on the board.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AckBoardRow, AlertForTerminal, WarningView } from '@beacon/protocol';
import { io } from 'socket.io-client';
import { afterAll, expect, it } from 'vitest';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import { type BeaconProcess, startBeaconProcess } from '../src/beaconProcess.ts';
import { api, login, request, type TestClient } from './helpers.ts';

/** Every seeded township acks: one terminal each. */
const TOWNSHIPS = SEED_TOWNSHIPS.map((township) => township.id);
/** Acks answered ok before the kill: how many to wait for (the rest race the SIGKILL). */
const KILL_AFTER_OKS = 5;

const sockets: TestClient[] = [];
const processes: BeaconProcess[] = [];
let dataDir: string | undefined;

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const beacon of processes) await beacon.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function post<T>(url: string, token: string, pathname: string, body: unknown): Promise<T> {
  const res = await api(url, token, pathname, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${pathname}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A terminal whose alert:new listener is on before the handshake. */
async function terminal(
  url: string,
  username: string,
): Promise<{ socket: TestClient; alert: Promise<AlertForTerminal> }> {
  const socket: TestClient = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token: await login(url, username) },
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  sockets.push(socket);
  const alert = new Promise<AlertForTerminal>((resolve) => socket.once('alert:new', resolve));
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, alert };
}

it('keeps every ack that was answered ok across a SIGKILL', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'beacon-ack-'));
  const first = await startBeaconProcess({ dataDir });
  processes.push(first);
  const duty = await login(first.url, 'duty');
  const warning = await post<WarningView>(first.url, duty, '/api/v1/warnings', {
    event: '地震',
    colour: 'red',
    headline: '地震红色预警',
    area: { type: 'circle', center: [24.9, 101.42], radiusKm: 80 },
    expires: new Date(Date.now() + 3_600_000).toISOString(),
    escalationMinutes: 0,
  });
  expect(warning.affectedTownshipIds.sort()).toEqual([...TOWNSHIPS].sort());

  const terminals = await Promise.all(TOWNSHIPS.map((username) => terminal(first.url, username)));
  await post(first.url, duty, `/api/v1/warnings/${warning.id}/issue`, {});
  await Promise.all(terminals.map((t) => t.alert));

  // All 15 ack at once; the process dies as soon as KILL_AFTER_OKS of them have been answered ok.
  const answeredOk = new Set<string>();
  let killed = false;
  await Promise.all(
    terminals.map(async ({ socket }, i) => {
      const township = TOWNSHIPS[i] as string;
      const res = await request(socket, 'alert:ack', { warningId: warning.id }).catch(() => null);
      // Every ok counts, also one that arrives after the kill was sent: it was committed before it was sent.
      if (res?.ok) {
        expect(res.data).toMatchObject({ townshipId: township, channel: 'terminal' });
        answeredOk.add(township);
        if (answeredOk.size >= KILL_AFTER_OKS && !killed) {
          killed = true;
          process.kill(first.pid, 'SIGKILL');
        }
      }
    }),
  );
  expect(killed).toBe(true);
  expect(answeredOk.size).toBeGreaterThanOrEqual(KILL_AFTER_OKS);
  await first.stop();

  const second = await startBeaconProcess({ dataDir });
  processes.push(second);
  const res = await api(second.url, await login(second.url, 'duty'), `/api/v1/warnings/${warning.id}/acks`);
  const board = (await res.json()) as AckBoardRow[];
  expect(board).toHaveLength(TOWNSHIPS.length);
  const acked = new Set(board.filter((r) => r.ackedAt !== null).map((r) => r.townshipId));
  for (const township of answeredOk) expect(acked, township).toContain(township);
});
