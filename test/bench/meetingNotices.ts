/**
 * A meeting notice (会议通知) to N townships with receipts: N township
 * terminals (socket.io clients in this process, Beacon in a child process)
 * are connected; the secretary books one meeting inviting all of them. Each
 * terminal, on `meeting:notice`, reports it delivered and then confirms its
 * receipt with one attendee, as the terminal page does. Reports the booking
 * request's time, notice latency p50/p99 and the time until every notice
 * reached its terminal, until every "delivered" was stored, and until every
 * receipt was stored (an ok answer means it committed) — and the board's
 * counts read back afterwards.
 *
 * Run alone: `npm run ts -- test/bench/meetingNotices.ts` (BENCH_MEETING_TOWNSHIPS, default 200; also part of
 * `npm run bench`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookingSaved, BookingView } from '@beacon/protocol';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { TokenService } from '../../signaling/src/auth/tokens.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { seedTownships } from './seedTownships.ts';

const SECRET = 'bench-secret-'.padEnd(48, 'x');

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
const round = (ms: number) => Math.round(ms * 10) / 10;

/** One account per synthetic township (a receipt names the account that gave it). */
function addTownshipAccounts(dataDir: string, townshipIds: readonly string[]): void {
  const db = new Database(join(dataDir, 'beacon.sqlite'));
  const insert = db.prepare(
    `INSERT INTO users (id, username, display_name, role, township_id, password_hash, created_at)
     VALUES (?, ?, ?, 'township', ?, 'not-a-hash', ?)`,
  );
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const id of townshipIds) insert.run(`terminal-${id}`, `terminal-${id}`, id, id, now);
  })();
  db.close();
}

interface Terminal {
  townshipId: string;
  token: string;
  socket: Socket;
}

export async function runMeetingNotices(opts: { townships: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-meeting-bench-'));
  const townshipIds = await seedTownships(dataDir, opts.townships);
  addTownshipAccounts(dataDir, townshipIds);
  const beacon = await startBeaconProcess({ dataDir, env: { BEACON_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' } });
  const tokens = new TokenService({ secret: new TextEncoder().encode(SECRET) });
  const terminals: Terminal[] = [];
  try {
    for (let i = 0; i < townshipIds.length; i += 100) {
      const batch = townshipIds.slice(i, i + 100);
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
          terminals.push({ townshipId, token, socket });
        }),
      );
    }

    const { token: secretary } = await loginApi(beacon.url, 'admin');
    const noticed: number[] = [];
    const delivered: number[] = [];
    const confirmed: number[] = [];
    let failures = 0;
    let started = 0;
    const post = (token: string, path: string, body: unknown) =>
      fetch(`${beacon.url}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const allConfirmed = new Promise<void>((resolve) => {
      const settle = () => {
        if (confirmed.length + failures === terminals.length) resolve();
      };
      for (const terminal of terminals) {
        terminal.socket.once('meeting:notice', async (notice: { bookingId: string }) => {
          noticed.push(performance.now() - started);
          try {
            const shown = await post(terminal.token, '/meetings/notices/delivered', { bookingIds: [notice.bookingId] });
            if (!shown.ok) throw new Error(`delivered: HTTP ${shown.status}`);
            delivered.push(performance.now() - started);
            const receipt = await post(terminal.token, `/meetings/${notice.bookingId}/receipt`, {
              attendees: [`${terminal.townshipId} 镇长`],
            });
            if (!receipt.ok) throw new Error(`receipt: HTTP ${receipt.status} ${await receipt.text()}`);
            confirmed.push(performance.now() - started);
          } catch (err) {
            if (failures++ === 0) console.warn('first failure:', err);
          }
          settle();
        });
      }
    });

    started = performance.now();
    const saved = await apiJson<BookingSaved>(beacon.url, secretary, '/api/v1/meetings', {
      method: 'POST',
      body: JSON.stringify({
        title: '基准测试：全市视频会议',
        kind: 'work',
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 7_200_000).toISOString(),
        roomId: null,
        chairId: 'u-chair',
        invitees: townshipIds.map((id) => ({ kind: 'township', id })),
      }),
    });
    const bookedMs = performance.now() - started;
    await Promise.race([allConfirmed, new Promise((r) => setTimeout(r, 180_000))]);

    const board = await apiJson<BookingView>(beacon.url, secretary, `/api/v1/meetings/${saved.booking.id}`);
    const sorted = [...noticed].sort((a, b) => a - b);
    return {
      townships: terminals.length,
      bookMs: round(bookedMs),
      noticeP50Ms: round(percentile(sorted, 50)),
      noticeP99Ms: round(percentile(sorted, 99)),
      allNoticedMs: round(sorted.at(-1) ?? Number.NaN),
      allDeliveredMs: round(Math.max(...delivered)),
      allConfirmedMs: round(Math.max(...confirmed)),
      failures,
      confirmedOnBoard: board.invitees.filter((i) => i.status === 'confirmed').length,
    };
  } finally {
    for (const terminal of terminals) terminal.socket.disconnect();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const townships = Number(process.env.BENCH_MEETING_TOWNSHIPS ?? 200);
  console.log(`## Meeting notice: ${townships} townships receive one notice, report it delivered and confirm`);
  console.table([await runMeetingNotices({ townships })]);
}
