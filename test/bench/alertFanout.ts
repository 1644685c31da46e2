/**
 * Alert fan-out: N township terminals (real socket.io clients in this process,
 * Beacon in a child process) receive one issued warning and acknowledge it.
 * Reports delivery latency p50/p99 (issue request sent → `alert:new` at the
 * terminal) and the time until every ack was answered ok (an ok answer means
 * the ack row has committed to SQLite).
 *
 * The city has 15 townships; the bench adds synthetic ones (a grid far from
 * Chuxiong) to the store before Beacon starts, one terminal each.
 *
 * Run alone: `node --import tsx test/bench/alertFanout.ts` (also part of `npm run bench`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AckBoardRow, WarningView } from '@beacon/protocol';
import { io, type Socket } from 'socket.io-client';
import { TokenService } from '../../signaling/src/auth/tokens.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { BENCH_BOX as BOX, seedTownships } from './seedTownships.ts';

const SECRET = 'bench-secret-'.padEnd(48, 'x');

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

export async function runAlertFanout(opts: { terminals: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-alert-bench-'));
  const townships = await seedTownships(dataDir, opts.terminals);
  const beacon = await startBeaconProcess({ dataDir, env: { BEACON_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' } });
  const tokens = new TokenService({ secret: new TextEncoder().encode(SECRET) });
  const sockets: Socket[] = [];
  try {
    // Connect every terminal (in batches: a thousand handshakes at once only measures the accept queue).
    for (let i = 0; i < townships.length; i += 100) {
      const batch = townships.slice(i, i + 100);
      await Promise.all(
        batch.map(async (townshipId) => {
          const { token } = await tokens.issue({
            userId: `terminal-${townshipId}`,
            username: `terminal-${townshipId}`,
            displayName: townshipId,
            role: 'township',
            townshipId,
          });
          const socket = io(beacon.url, {
            transports: ['websocket'],
            auth: { token },
            reconnection: false,
            forceNew: true,
          });
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          });
          sockets.push(socket);
        }),
      );
    }

    const { token: duty } = await loginApi(beacon.url, 'duty');
    const warning = await apiJson<WarningView>(beacon.url, duty, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '暴雨',
        colour: 'red',
        headline: '基准测试：暴雨红色预警',
        area: {
          type: 'polygon',
          points: [
            [BOX.south, BOX.west],
            [BOX.south, BOX.east],
            [BOX.north, BOX.east],
            [BOX.north, BOX.west],
          ],
        },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        escalationMinutes: 0,
      }),
    });

    const delivered: number[] = [];
    const acked: number[] = [];
    let ackFailures = 0;
    const allAcked = new Promise<void>((resolve) => {
      for (const socket of sockets) {
        socket.once('alert:new', (alert) => {
          delivered.push(performance.now() - started);
          (socket.timeout(60_000) as unknown as Socket)
            .emitWithAck('alert:ack', { warningId: alert.warningId })
            .then((res: { ok: boolean }) => {
              if (res.ok) acked.push(performance.now() - started);
              else ackFailures++;
            })
            .catch(() => {
              ackFailures++;
            })
            .finally(() => {
              if (acked.length + ackFailures === sockets.length) resolve();
            });
        });
      }
    });
    const started = performance.now();
    await apiJson(beacon.url, duty, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' });
    await Promise.race([allAcked, new Promise((r) => setTimeout(r, 120_000))]);

    const board = await apiJson<AckBoardRow[]>(beacon.url, duty, `/api/v1/warnings/${warning.id}/acks`);
    const sortedDelivered = [...delivered].sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      terminals: sockets.length,
      affected: warning.affectedTownshipIds.length,
      delivered: delivered.length,
      deliveryP50Ms: round(percentile(sortedDelivered, 50)),
      deliveryP99Ms: round(percentile(sortedDelivered, 99)),
      allDeliveredMs: round(sortedDelivered.at(-1) ?? Number.NaN),
      acksOk: acked.length,
      ackFailures,
      allAcksStoredMs: round(Math.max(...acked)),
      acknowledgedOnBoard: board.filter((row) => row.ackedAt !== null).length,
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const terminals = Number(process.env.BENCH_ALERT_TERMINALS ?? 1000);
  console.log(`## Alert fan-out: ${terminals} township terminals receive and acknowledge one warning`);
  console.table([await runAlertFanout({ terminals })]);
}
