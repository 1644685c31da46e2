/**
 * A stalled PostgreSQL statement and the rest of the node: Beacon on
 * PostgreSQL (a child process, a throwaway server), one warning issued to
 * the demo townships. A second PostgreSQL connection (this process) locks
 * one township's delivery row for `stallMs`; that township's terminal then
 * acks, and its ack waits for the lock. Meanwhile `others` terminals of
 * other townships send `alert:received` one after the other (a store write
 * each, on rows nobody locks) until the lock goes. Prints the latency of
 * their events before the stall and of those sent during it (p50/p99/max),
 * when the stalled ack was answered, and how many of the others' events were
 * answered before it.
 *
 *   node --import tsx test/bench/storeStall.ts [--stall-ms 5000] [--others 8]
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { WarningView } from '@beacon/protocol';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import { startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { apiJson, loginApi } from '../src/signaling.ts';

export interface StoreStallOptions {
  stallMs: number;
  /** Terminals of other townships sending events during the stall. */
  others: number;
}

export interface LatencyFigures {
  events: number;
  /** Events without an answer: the node was too busy to answer pings and the socket was dropped. */
  unanswered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface StoreStallResult {
  baseline: LatencyFigures;
  duringStall: LatencyFigures;
  /** From the stalled ack's emit to its answer (NaN: no answer, the socket was dropped). */
  stalledAckMs: number;
  /** Other terminals' events answered while the stalled ack was still pending. */
  answeredBeforeStalledAck: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function figures({ latencies, unanswered }: Samples): LatencyFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return {
    events: sorted.length,
    unanswered,
    p50Ms: round(at(50)),
    p99Ms: round(at(99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

async function terminal(url: string, username: string): Promise<Socket> {
  const { token } = await loginApi(url, username);
  const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Latencies of answered events, and events that got no answer (the socket was dropped meanwhile). */
interface Samples {
  latencies: number[];
  unanswered: number;
}

/** Why events went unanswered, printed once each. */
const reasons = new Set<string>();

/** Sends `event` again and again (one in flight) until `until` resolves or the socket is dropped. */
async function loop(
  socket: Socket,
  event: string,
  payload: unknown,
  until: Promise<void>,
  answeredAt: number[] = [],
): Promise<Samples> {
  let done = false;
  void until.then(() => {
    done = true;
  });
  const samples: Samples = { latencies: [], unanswered: 0 };
  while (!done && socket.connected) {
    const sent = performance.now();
    try {
      const answer = (await socket.timeout(30_000).emitWithAck(event, payload)) as { ok: boolean };
      if (!answer.ok) throw new Error(`${event} refused: ${JSON.stringify(answer)}`);
      const at = performance.now();
      answeredAt.push(at);
      samples.latencies.push(at - sent);
    } catch (err) {
      samples.unanswered++;
      reasons.add(err instanceof Error ? err.message : String(err));
    }
  }
  return samples;
}

const merged = (all: Samples[]): Samples => ({
  latencies: all.flatMap((s) => s.latencies),
  unanswered: all.reduce((n, s) => n + s.unanswered, 0),
});

export async function runStoreStall(opts: StoreStallOptions): Promise<StoreStallResult> {
  const postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase('beacon');
  const beacon = await startBeaconProcess({
    env: {
      DATABASE_URL: databaseUrl,
      BEACON_JWT_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
      // Each terminal sends events back to back to measure the store, not the flood limits.
      BEACON_RATE_COMMAND: 'off',
    },
  });
  const sockets: Socket[] = [];
  const locker = new pg.Client({ connectionString: databaseUrl });
  try {
    // Township accounts are named after their township; the first one's row is locked.
    const [stuckName, ...otherNames] = SEED_TOWNSHIPS.slice(0, opts.others + 1).map((t) => t.id);
    const stuck = await terminal(beacon.url, stuckName as string);
    const others = await Promise.all(otherNames.map((name) => terminal(beacon.url, name)));
    sockets.push(stuck, ...others);

    const { token: duty } = await loginApi(beacon.url, 'duty');
    const warning = await apiJson<WarningView>(beacon.url, duty, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '暴雨',
        colour: 'red',
        headline: '基准测试：数据库阻塞',
        area: { type: 'circle', center: [25.03, 101.55], radiusKm: 500 },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        escalationMinutes: 0,
      }),
    });
    await apiJson(beacon.url, duty, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' });
    const payload = { warningId: warning.id };

    // Baseline: the same events, nothing stalled.
    const baselineEnd = new Promise<void>((resolve) => setTimeout(resolve, 2_000));
    const baseline = merged(await Promise.all(others.map((s) => loop(s, 'alert:received', payload, baselineEnd))));

    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT * FROM alert_deliveries WHERE warning_id = $1 AND township_id = $2 FOR UPDATE', [
      warning.id,
      stuckName,
    ]);
    const stallStart = performance.now();
    let ackAnsweredAt = Number.POSITIVE_INFINITY;
    const stalledAck = stuck
      .timeout(60_000)
      .emitWithAck('alert:ack', payload)
      .then(() => {
        ackAnsweredAt = performance.now();
        return ackAnsweredAt - stallStart;
      })
      .catch(() => Number.NaN);
    // The lock goes at the end of the stall whatever the node does meanwhile.
    const released = new Promise<void>((resolve) => setTimeout(resolve, opts.stallMs)).then(() =>
      locker.query('COMMIT'),
    );
    // Let the ack reach the node and its UPDATE reach the lock, then send events until the lock goes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stallEnd = new Promise<void>((resolve) =>
      setTimeout(resolve, Math.max(0, stallStart + opts.stallMs - performance.now())),
    );
    const answeredAt: number[] = [];
    const during = merged(
      await Promise.all(others.map((s) => loop(s, 'alert:received', payload, stallEnd, answeredAt))),
    );
    await released;
    const stalledAckMs = await stalledAck;
    const beforeAck = answeredAt.filter((at) => at < ackAnsweredAt).length;
    return {
      baseline: figures(baseline),
      duringStall: figures(during),
      stalledAckMs: round(stalledAckMs),
      answeredBeforeStalledAck: beforeAck,
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await locker.end().catch(() => {});
    await beacon.stop();
    await postgres.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { 'stall-ms': { type: 'string', default: '5000' }, others: { type: 'string', default: '8' } },
  });
  const stallMs = Number(values['stall-ms']);
  const result = await runStoreStall({ stallMs, others: Number(values.others) });
  console.log(`## Socket events of other terminals while one PostgreSQL row lock stalls an ack ${stallMs} ms`);
  console.table([
    { phase: 'before the stall', ...result.baseline },
    { phase: 'during the stall', ...result.duringStall },
  ]);
  console.log(
    `stalled ack answered after ${result.stalledAckMs} ms; other terminals' events answered before it: ${result.answeredBeforeStalledAck}`,
  );
  if (reasons.size > 0) console.log(`unanswered because: ${[...reasons].join('; ')}`);
}
