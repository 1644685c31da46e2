/**
 * Information reporting under load: N townships (default 200) each send a
 * report with a ~2 MB camera photo, their starts spread over one minute —
 * upload the photo (checked, EXIF read, re-encoded, thumbnailed), then post
 * the report. Beacon runs in a child process; a duty officer's socket in this
 * process records when each report reaches the inbox (`report:updated`).
 *
 * Prints per report the time from its first byte sent to the inbox event
 * (p50/p99/max) and the time until every report was in the inbox.
 *
 * Run alone: `npm run ts -- test/bench/reports.ts [--townships 200] [--seconds 60]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ReportChainView } from '@beacon/protocol';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { io } from 'socket.io-client';
import { TokenService } from '../../signaling/src/auth/tokens.ts';
import { startBeaconProcess } from '../src/beaconProcess.ts';
import { loginApi } from '../src/signaling.ts';
import { seedTownships } from './seedTownships.ts';
import { percentile } from './stats.ts';

const SECRET = 'bench-secret-'.padEnd(48, 'x');

/** Noise does not compress: a 1,920 × 1,280 JPEG of it at quality 92 is about 2 MB, like a phone photo. */
async function cameraPhoto(): Promise<Buffer> {
  const [width, height] = [1920, 1280];
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.random() * 256) | 0;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** One township account per synthetic township, with the demo township's password hash. */
function seedTownshipUsers(dataDir: string, townships: string[]): void {
  const db = new Database(join(dataDir, 'beacon.sqlite'));
  const insert = db.prepare(
    `INSERT INTO users (id, username, display_name, role, township_id, password_hash, created_at)
     SELECT ?, ?, ?, 'township', ?, password_hash, created_at FROM users WHERE id = 'u-zixi'`,
  );
  db.transaction(() => {
    for (const id of townships) insert.run(`u-${id}`, id, id, id);
  })();
  db.close();
}

export async function runReportsBench(opts: { townships: number; seconds: number }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'beacon-reports-bench-'));
  const townships = await seedTownships(dataDir, opts.townships);
  seedTownshipUsers(dataDir, townships);
  const beacon = await startBeaconProcess({ dataDir, env: { BEACON_JWT_SECRET: SECRET, LOG_LEVEL: 'warn' } });
  const tokens = new TokenService({ secret: new TextEncoder().encode(SECRET) });
  const photo = await cameraPhoto();
  const { token: dutyToken } = await loginApi(beacon.url, 'duty');
  const duty = io(beacon.url, { transports: ['websocket'], auth: { token: dutyToken }, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    duty.once('connect', () => resolve());
    duty.once('connect_error', reject);
  });
  const arrived = new Map<string, number>();
  duty.on('report:updated', (chain: ReportChainView) => {
    if (!arrived.has(chain.title)) arrived.set(chain.title, performance.now());
  });
  try {
    const sentAt = new Map<string, number>();
    const failures: string[] = [];
    const start = performance.now();
    await Promise.all(
      townships.map(async (townshipId, i) => {
        const { token } = await tokens.issue({
          userId: `u-${townshipId}`,
          username: townshipId,
          displayName: townshipId,
          role: 'township',
          townshipId,
        });
        const offsetMs = (opts.seconds * 1000 * i) / townships.length;
        await new Promise((resolve) => setTimeout(resolve, start + offsetMs - performance.now()));
        const title = `基准报送 ${townshipId}`;
        sentAt.set(title, performance.now());
        const auth = { authorization: `Bearer ${token}` };
        const up = await fetch(`${beacon.url}/api/v1/reports/photos`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'image/jpeg' },
          body: new Uint8Array(photo),
        });
        if (!up.ok) return void failures.push(`${townshipId} photo: HTTP ${up.status}`);
        const { id } = (await up.json()) as { id: string };
        const res = await fetch(`${beacon.url}/api/v1/reports`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'landslide',
            title,
            occurredAt: new Date().toISOString(),
            description: '基准测试：山体滑坡',
            photoIds: [id],
          }),
        });
        if (!res.ok) failures.push(`${townshipId} report: HTTP ${res.status}`);
      }),
    );
    const deadline = Date.now() + 60_000;
    while (arrived.size < townships.length - failures.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencies = [...sentAt].flatMap(([title, at]) => {
      const got = arrived.get(title);
      return got === undefined ? [] : [got - at];
    });
    const sorted = latencies.sort((a, b) => a - b);
    const lastArrival = Math.max(...arrived.values());
    return {
      townships: townships.length,
      'photo MB': Math.round((photo.length / 1024 / 1024) * 100) / 100,
      'spread s': opts.seconds,
      'in inbox': arrived.size,
      failed: failures.length,
      'report → inbox p50 ms': Math.round(percentile(sorted, 50)),
      'p99 ms': Math.round(percentile(sorted, 99)),
      'max ms': Math.round(sorted.at(-1) ?? Number.NaN),
      'all in inbox after s': Math.round((lastArrival - start) / 100) / 10,
      ...(failures.length ? { 'first failure': failures[0] } : {}),
    };
  } finally {
    duty.close();
    await beacon.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { townships: { type: 'string' }, seconds: { type: 'string' } } });
  console.table([
    await runReportsBench({ townships: Number(values.townships ?? 200), seconds: Number(values.seconds ?? 60) }),
  ]);
}
