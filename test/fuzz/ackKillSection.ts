/**
 * The fault part of `npm run fuzz`: township terminals acknowledge warnings
 * at FUZZ_ACKS_PER_S; after FUZZ_KILL_AFTER_S Beacon is killed with SIGKILL,
 * restarted on the same data directory, and the store is read back:
 *   - acknowledged but missing: answered ok to a terminal, not on the board (goal 0);
 *   - acked without audit row: on the board, no `warning.ack` audit entry (goal 0);
 *   - audit row without ack: the reverse (goal 0: both are one transaction).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestAck } from '@beacon/protocol';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { loginApi } from '../src/signaling.ts';
import { issueDrillWarnings } from './drillWarnings.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const TOWNSHIPS = SEED_TOWNSHIPS.map((t) => t.id);
const TICK_MS = 10;

export async function ackKillSection(options: FuzzOptions): Promise<boolean> {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-fuzz-kill-'));
  // Beacon's own rates stay on here: acks are `command` events (10/s a socket), so each township gets enough sockets.
  const env = { LOG_LEVEL: options.FUZZ_LOG_LEVEL };
  const sockets: Socket[] = [];
  try {
    const first = await startBeaconProcess({ dataDir, env });
    const duty = (await loginApi(first.url, 'duty')).token;
    // Twice what the run can send before the kill: the acks never run out.
    const warningCount = Math.ceil((options.FUZZ_ACKS_PER_S * options.FUZZ_KILL_AFTER_S * 2) / TOWNSHIPS.length);
    const warnings = await issueDrillWarnings(first.url, duty, warningCount);
    // Sockets per township: at 10 acks/s each (Beacon's default command rate), with a margin.
    const perTownship = Math.max(1, Math.ceil(options.FUZZ_ACKS_PER_S / TOWNSHIPS.length / 8));
    const terminals = await Promise.all(
      TOWNSHIPS.map(async (township) => {
        const token = (await loginApi(first.url, township)).token;
        const own: Socket[] = [];
        for (let i = 0; i < perTownship; i++) own.push(await connect(first.url, token));
        sockets.push(...own);
        return { township, sockets: own };
      }),
    );
    const queue = warnings.flatMap((warningId) => TOWNSHIPS.map((township) => ({ warningId, township })));
    const answeredOk = new Set<string>();
    const refused: Record<string, number> = {};
    let sent = 0;
    let unanswered = 0;
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (performance.now() - started >= options.FUZZ_KILL_AFTER_S * 1000 || queue.length === 0) {
          clearInterval(timer);
          process.kill(first.pid, 'SIGKILL');
          resolve();
          return;
        }
        // Paced by the clock, not by the tick count: a late timer (a loaded machine) catches up.
        const due = Math.floor(((performance.now() - started) / 1000) * options.FUZZ_ACKS_PER_S) - sent;
        for (let i = 0; i < due && queue.length > 0; i++) {
          const { warningId, township } = queue.shift() as { warningId: string; township: string };
          const own = terminals.find((t) => t.township === township)?.sockets ?? [];
          const socket = own[sent % own.length] as Socket;
          sent++;
          inFlight.push(
            requestAck(socket, 'alert:ack', { warningId }, { timeoutMs: 10_000 }).then(
              (ack) => {
                if (ack.ok) answeredOk.add(`${warningId}/${township}`);
                else refused[ack.error.code] = (refused[ack.error.code] ?? 0) + 1;
              },
              () => {
                unanswered++;
              },
            ),
          );
        }
      }, TICK_MS);
    });
    const seconds = (performance.now() - started) / 1000;
    // Sockets of the dead process: their acks are now either answered (before the kill) or never will be.
    for (const socket of sockets) socket.close();
    await Promise.all(inFlight);
    await first.stop();

    const restartStarted = performance.now();
    const second = await startBeaconProcess({ dataDir, env });
    const restartSeconds = (performance.now() - restartStarted) / 1000;
    await second.stop();
    const figures = readBack(join(dataDir, 'beacon.sqlite'), answeredOk);
    console.table({
      'acks sent': sent,
      'acks per second achieved': Math.round(sent / seconds),
      'answered ok before the kill': answeredOk.size,
      'refused with a code': Object.values(refused).reduce((a, b) => a + b, 0),
      'unanswered (in flight at the kill)': unanswered,
      'restart to ready (s)': Number(restartSeconds.toFixed(1)),
      'acks on the board after the restart': figures.acked,
      'acknowledged but missing (goal 0)': figures.okButMissing,
      'acked without an audit row (goal 0)': figures.withoutAudit,
      'audit rows without an ack (goal 0)': figures.auditWithoutAck,
    });
    if (Object.keys(refused).length > 0) console.table(refused);
    return figures.okButMissing === 0 && figures.withoutAudit === 0 && figures.auditWithoutAck === 0;
  } finally {
    for (const socket of sockets) socket.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function readBack(file: string, answeredOk: Set<string>) {
  const db = new Database(file, { readonly: true });
  try {
    const acked = new Set(
      (
        db
          .prepare(
            'SELECT warning_id, township_id FROM alert_deliveries WHERE acked_at IS NOT NULL AND township_id IS NOT NULL',
          )
          .all() as { warning_id: string; township_id: string }[]
      ).map((r) => `${r.warning_id}/${r.township_id}`),
    );
    const audited = new Set(
      (
        db.prepare("SELECT target, detail FROM audit WHERE action = 'warning.ack'").all() as {
          target: string;
          detail: string;
        }[]
      ).map((r) => `${r.target}/${(JSON.parse(r.detail) as { townshipId?: string }).townshipId}`),
    );
    const count = (from: Set<string>, notIn: Set<string>) => [...from].filter((key) => !notIn.has(key)).length;
    return {
      acked: acked.size,
      okButMissing: count(answeredOk, acked),
      withoutAudit: count(acked, audited),
      auditWithoutAck: count(audited, acked),
    };
  } finally {
    db.close();
  }
}

async function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
