/**
 * Kill -9 of PostgreSQL (store = postgres) while townships acknowledge warnings at FAULT_ACKS_PER_S: after
 * KILL_AFTER_MS the postmaster is killed, and restarted DOWN_MS later as a service manager would. Measured: from
 * the kill until an ack sent after the outage was seen is answered ok again (stored: an ok is answered after the
 * commit), and at the end, read from the database, the acks answered ok but missing (goal 0) and acks without
 * their audit row.
 *
 * The outage must be seen before the recovery clock runs: a SIGKILLed postmaster's backends live on until
 * they notice its death, and an ack they commit in that moment says nothing about recovery. So the clock waits
 * for the first ack sent after the kill that fails (refused, or no answer), and counts only an ok for an ack
 * sent after that failure came back.
 */

import { writeFile } from 'node:fs/promises';
import { requestAck } from '@beacon/protocol';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { SEED_TOWNSHIPS } from '../../signaling/src/store/seedData.ts';
import { startPostgres } from '../../signaling/src/store/testing/postgresServer.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { loginApi } from '../src/signaling.ts';
import { issueDrillWarnings } from './drillWarnings.ts';
import type { FaultFigures } from './faultFigures.ts';
import type { FuzzOptions } from './fuzzOptions.ts';

const TOWNSHIPS = SEED_TOWNSHIPS.map((t) => t.id);
const FAULT_ACKS_PER_S = 40;
const KILL_AFTER_MS = 3_000;
const DOWN_MS = 3_000;
const LIMIT_MS = 90_000;
/** Acks keep coming this long after the first ok after the kill. */
const AFTER_RECOVERY_MS = 3_000;

export async function postgresFault(options: FuzzOptions): Promise<FaultFigures> {
  const server = await startPostgres();
  const sockets: Socket[] = [];
  try {
    const url = await server.createDatabase('beacon_fault');
    const beacon = await startBeaconProcess({ env: { DATABASE_URL: url, LOG_LEVEL: options.FUZZ_LOG_LEVEL } });
    try {
      const duty = (await loginApi(beacon.url, 'duty')).token;
      const total = ((FAULT_ACKS_PER_S * (KILL_AFTER_MS + DOWN_MS + LIMIT_MS)) / 1000 / TOWNSHIPS.length) * 1.2;
      const warnings = await issueDrillWarnings(beacon.url, duty, Math.ceil(Math.min(total, 150)));
      const terminals = new Map<string, Socket>();
      for (const township of TOWNSHIPS) {
        const socket = await connect(beacon.url, (await loginApi(beacon.url, township)).token);
        sockets.push(socket);
        terminals.set(township, socket);
      }
      const queue = warnings.flatMap((warningId) => TOWNSHIPS.map((township) => ({ warningId, township })));
      const answeredOk = new Set<string>();
      const refused: Record<string, number> = {};
      const inFlight: Promise<void>[] = [];
      let sent = 0;
      let killedAt = Number.POSITIVE_INFINITY;
      let restartedAt = Number.POSITIVE_INFINITY;
      /** When the first failure of an ack sent after the kill came back: PostgreSQL seen down. */
      let downSeenAt = Number.POSITIVE_INFINITY;
      let okBeforeDownSeen = 0;
      let firstOkAfterDown: number | null = null;
      const failedAfterKill = (sentAt: number) => {
        if (sentAt > killedAt && downSeenAt === Number.POSITIVE_INFINITY) downSeenAt = performance.now();
      };
      const started = performance.now();
      const pump = setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * FAULT_ACKS_PER_S) - sent;
        for (let i = 0; i < due && queue.length > 0; i++) {
          const { warningId, township } = queue.shift() as { warningId: string; township: string };
          const sentAt = performance.now();
          sent++;
          inFlight.push(
            requestAck(terminals.get(township) as Socket, 'alert:ack', { warningId }, { timeoutMs: 30_000 }).then(
              (ack) => {
                if (ack.ok) {
                  answeredOk.add(`${warningId}/${township}`);
                  if (sentAt > downSeenAt && firstOkAfterDown === null) firstOkAfterDown = performance.now();
                  else if (sentAt > killedAt && downSeenAt === Number.POSITIVE_INFINITY) okBeforeDownSeen++;
                } else {
                  refused[ack.error.code] = (refused[ack.error.code] ?? 0) + 1;
                  failedAfterKill(sentAt);
                }
              },
              () => {
                refused.unanswered = (refused.unanswered ?? 0) + 1;
                failedAfterKill(sentAt);
              },
            ),
          );
        }
      }, 10);
      await new Promise((resolve) => setTimeout(resolve, KILL_AFTER_MS));
      killedAt = performance.now();
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
      await server.restart();
      restartedAt = performance.now();
      while (firstOkAfterDown === null && performance.now() - killedAt < LIMIT_MS && queue.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, AFTER_RECOVERY_MS));
      clearInterval(pump);
      await Promise.all(inFlight);
      const stored = await readBack(url);
      const lost = [...answeredOk].filter((key) => !stored.acked.has(key)).length;
      const withoutAudit = [...stored.acked].filter((key) => !stored.audited.has(key)).length;
      const recoveredAt = firstOkAfterDown as number | null;
      const downSeen = downSeenAt !== Number.POSITIVE_INFINITY;
      const seconds = recoveredAt === null ? null : Number(((recoveredAt - killedAt) / 1000).toFixed(2));
      const codes = Object.entries(refused)
        .map(([code, n]) => `${code} ${n}`)
        .join(', ');
      return {
        fault: 'PostgreSQL (kill -9, restarted after 3 s)',
        recovered: seconds !== null,
        secondsToRecover: seconds,
        recoveredWhen: 'an ack sent after the outage was seen (a failed ack) is answered ok (committed)',
        ackedButLost: lost,
        note:
          `${sent} acks sent, ${answeredOk.size} ok, refused: ${codes || 'none'}; ` +
          (downSeen
            ? `outage seen ${((downSeenAt - killedAt) / 1000).toFixed(2)} s after the kill (first failed ack; ` +
              `${okBeforeDownSeen} ok before it from the dying backends); `
            : 'OUTAGE NEVER SEEN (no ack sent after the kill failed): no recovery measured; ') +
          `PostgreSQL itself back after ${((restartedAt - killedAt) / 1000).toFixed(2)} s, the first ok ` +
          `${recoveredAt === null ? '—' : ((recoveredAt - restartedAt) / 1000).toFixed(2)} s later; ` +
          `acks without audit row: ${withoutAudit}`,
      };
    } finally {
      for (const socket of sockets) socket.close();
      if (options.FUZZ_BEACON_LOG) await writeFile(`${options.FUZZ_BEACON_LOG}.postgres`, beacon.output());
      await beacon.stop();
    }
  } finally {
    await server.stop();
  }
}

async function readBack(url: string): Promise<{ acked: Set<string>; audited: Set<string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const acked = await client.query<{ warning_id: string; township_id: string }>(
      'SELECT warning_id, township_id FROM alert_deliveries WHERE acked_at IS NOT NULL AND township_id IS NOT NULL',
    );
    const audited = await client.query<{ target: string; detail: string | { townshipId?: string } }>(
      "SELECT target, detail FROM audit WHERE action = 'warning.ack'",
    );
    return {
      acked: new Set(acked.rows.map((r) => `${r.warning_id}/${r.township_id}`)),
      audited: new Set(
        audited.rows.map((r) => {
          const detail = typeof r.detail === 'string' ? (JSON.parse(r.detail) as { townshipId?: string }) : r.detail;
          return `${r.target}/${detail.townshipId}`;
        }),
      ),
    };
  } finally {
    await client.end();
  }
}

async function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
