/**
 * SIP gateway benchmarks.
 *  1. Mixer capacity in-process: rooms × phone legs over loopback UDP with
 *     synthetic G.711 senders and Opus tap streams (sip-gateway mixerBench).
 *  2. The whole chain under SIPp load: N rooms × M phone legs dial in through
 *     Kamailio at `cps` calls/s, type their PIN (SIP INFO) and talk (g711a.pcap);
 *     call setup latency (authenticated INVITE → 200 OK, SIPp rtd) p50/p95,
 *     then in the steady window the gateway's CPU (% of one core) and its mixer
 *     clock: ticks, late ticks and skipped frames (every 20 ms frame on time?).
 *
 * Run alone: `node --import tsx test/bench/sip.ts` (also part of `npm run bench`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMixerBench } from '../../sip-gateway/src/media/mixerBench.ts';
import { apiJson } from '../src/signaling.ts';
import { startSipBeacon } from '../src/sipBeacon.ts';
import { runSipp } from '../src/sipp.ts';

export interface SipBenchOptions {
  rooms: number;
  legsPerRoom: number;
  cps: number;
  /** Seconds of steady load measured (calls last 28 s; keep well below that after setup). */
  steadySeconds: number;
}

interface GatewayStats {
  pid: number;
  legs: number;
  clock: { ticks: number; late: number; skipped: number; maxLateMs: number; tickCpuMs: number };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
}

export async function runMixerCapacity(rooms: number, legsPerRoom: number, seconds: number) {
  return runMixerBench({ rooms, legsPerRoom, speakersPerRoom: 3, seconds });
}

export async function runSipLoad(opts: SipBenchOptions) {
  const calls = opts.rooms * opts.legsPerRoom;
  // Every call and every room tap takes an even RTP port (the odd one above it is its RTCP).
  const sip = await startSipBeacon({ rtpPortCount: 2 * (calls + opts.rooms) + 100 });
  try {
    // Rooms 6001 and 6002 are seeded; the rest are created (each gets the next number and a PIN).
    for (let i = 3; i <= opts.rooms; i++) {
      await apiJson(sip.beacon.url, sip.adminToken, '/api/v1/rooms', {
        method: 'POST',
        body: JSON.stringify({ id: `bench-${i}`, title: `Bench ${i}`, kind: 'meeting' }),
      });
      // New rooms get 6-digit PINs; uac-load.xml types 4 digits, like the seeded rooms (an older install's).
      await apiJson(sip.beacon.url, sip.adminToken, `/api/v1/admin/rooms/bench-${i}`, {
        method: 'PATCH',
        body: JSON.stringify({ pin: String(1000 + i) }),
      });
    }
    const rooms = (
      await apiJson<{ dialNumber: string | null; pin: string | null }[]>(
        sip.beacon.url,
        sip.adminToken,
        '/api/v1/rooms',
      )
    ).filter((room) => room.dialNumber && room.pin && /^[0-9]{4}$/.test(room.pin));
    const lines = ['SEQUENTIAL'];
    for (let call = 0; call < calls; call++) {
      const room = rooms[call % opts.rooms] as { dialNumber: string; pin: string };
      lines.push([room.dialNumber, ...room.pin.split('')].join(';'));
    }
    const injection = join(tmpdir(), `beacon-sip-load-${process.pid}.csv`);
    await writeFile(injection, `${lines.join('\n')}\n`);

    const statsFile = join(sip.beacon.dataDir, 'sip', 'gateway-stats.json');
    const readStats = async () => JSON.parse(await readFile(statsFile, 'utf8')) as GatewayStats;
    const load = runSipp({
      scenario: 'uac-load.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      injection,
      authUser: '8001',
      password: await sip.phonePassword('8001'),
      keys: { from: '8001' },
      calls,
      rate: opts.cps,
      limit: calls,
      timeoutMs: 180_000,
      extraArgs: ['-trace_rtt', '-rtt_freq', '1'],
    });
    // Wait until every call is in a room, then measure a steady window.
    // (or, should some calls fail, until the last call had time to get in).
    const allStartedBy = Date.now() + (calls / opts.cps) * 1000 + 8000;
    let stats = await readStats().catch(() => null);
    while (!stats || stats.legs < calls) {
      if (Date.now() > allStartedBy && stats && stats.legs > 0) break;
      await new Promise((r) => setTimeout(r, 500));
      stats = await readStats().catch(() => null);
    }
    const before = await readStats();
    const cpuBefore = await cpuTicks(before.pid);
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, opts.steadySeconds * 1000));
    const cpuAfter = await cpuTicks(before.pid);
    const elapsed = (Date.now() - startedAt) / 1000;
    // The stats file is rewritten every 5 s: take the latest after the window.
    await new Promise((r) => setTimeout(r, 5500));
    const after = await readStats();
    const result = await load;
    const rtt = [...result.rttMs].sort((a, b) => a - b);
    return {
      calls,
      successful: result.stats.successful,
      failed: result.stats.failed,
      legsAtSteady: before.legs,
      setupP50Ms: percentile(rtt, 50),
      setupP95Ms: percentile(rtt, 95),
      setupSamples: rtt.length,
      gatewayCpuPercentOfOneCore: Math.round(((cpuAfter - cpuBefore) / 100 / elapsed) * 1000) / 10,
      ticks: after.clock.ticks - before.clock.ticks,
      lateTicks: after.clock.late - before.clock.late,
      skippedFrames: after.clock.skipped - before.clock.skipped,
      maxLateMsEver: Math.round(after.clock.maxLateMs * 10) / 10,
      firstSippError:
        result.errors.split('\n').find((line) => /Aborting|unexpected|timeout|Failed/i.test(line)) ?? null,
    };
  } finally {
    await sip.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rooms = Number(process.env.BENCH_SIP_ROOMS ?? 10);
  const legs = Number(process.env.BENCH_SIP_LEGS ?? 20);
  console.log(`## SIP mixer capacity in-process (${rooms} rooms × ${legs} legs, 3 speakers per room, 15 s)`);
  console.table([await runMixerCapacity(rooms, legs, 15)]);
  console.log(`\n## SIP load through Kamailio (${rooms} rooms × ${legs} legs, 20 calls/s, SIPp g711a.pcap)`);
  console.table([await runSipLoad({ rooms, legsPerRoom: legs, cps: 20, steadySeconds: 8 })]);
}
