/**
 * Soak: one Beacon node (child process, one media worker) under churning
 * phone-leg participants with media for SOAK_MINUTES, its memory and file
 * descriptors sampled once per cycle; prints the series and a verdict.
 *
 *   SOAK_MINUTES=30 node --import tsx test/soak/soak.ts
 *
 * Environment (defaults in brackets):
 *   SOAK_MINUTES        run length                                        [30]
 *   SOAK_CYCLE_SECONDS  one churn cycle = one sample                      [30]
 *   SOAK_ROOMS          rooms shared by both groups                       [5]
 *   SOAK_STEADY         steady participants per room (in for the whole run) [4]
 *   SOAK_CHURN          churning participants per room (join, talk, leave each cycle) [12]
 *
 * A cycle: the churn group ramps in (20 joins/s), sends its tones, leaves,
 * and the node settles; then a sample. Sampling at the same point of every
 * cycle makes samples comparable (verdict.ts). Before the run a warm-up
 * cycle with both groups brings the node to its working size, and the fd
 * baseline is taken with the node empty; after the run everyone leaves and
 * the fds must come back to it. Exit code 1 when the verdict is not flat.
 */
import { randomBytes } from 'node:crypto';
import { LoadGenerator } from '../load/LoadGenerator.ts';
import { mintServiceToken } from '../load/legTokens.ts';
import { ensureLoadRooms } from '../load/loadRooms.ts';
import { DEMO_PASSWORD, startBeaconProcess } from '../src/beaconProcess.ts';
import { type ProcessSample, ProcessSampler } from './processSampler.ts';
import { fdsBackToBaseline, memoryVerdict } from './verdict.ts';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const cycleSeconds = Number(process.env.SOAK_CYCLE_SECONDS ?? 30);
const roomCount = Number(process.env.SOAK_ROOMS ?? 5);
const steadyPerRoom = Number(process.env.SOAK_STEADY ?? 4);
const churnPerRoom = Number(process.env.SOAK_CHURN ?? 12);
/** What the end of a cycle leaves for leaving and settling before the sample. */
const SETTLE_SECONDS = 5;
/** After the last leave, how long fds may take to come back (sockets closing, workers closing transports). */
const FD_SETTLE_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function main(): Promise<boolean> {
  if ((minutes * 60) / cycleSeconds < 3) {
    throw new RangeError(`SOAK_MINUTES=${minutes} gives fewer than 3 cycles of ${cycleSeconds} s: nothing to compare`);
  }
  const jwtSecret = randomBytes(32).toString('base64url');
  const beacon = await startBeaconProcess({ env: { BEACON_JWT_SECRET: jwtSecret } });
  const groups: LoadGenerator[] = [];
  try {
    const rooms = await ensureLoadRooms({ url: beacon.url, password: DEMO_PASSWORD, count: roomCount, prefix: 'soak' });
    const serviceToken = await mintServiceToken(jwtSecret);
    const group = (perRoom: number, tag: string) =>
      new LoadGenerator({ urls: [beacon.url], serviceToken, rooms, perRoom, rampPerSecond: 20, tag });
    const steady = group(steadyPerRoom, 'steady');
    const churn = group(churnPerRoom, 'churn');
    groups.push(steady, churn);
    const sampler = new ProcessSampler(beacon.url, beacon.pid);
    console.log(
      `# Soak: ${minutes} min, ${roomCount} rooms × (${steadyPerRoom} steady + ${churnPerRoom} churning) phone legs, ` +
        `${cycleSeconds} s cycles, Beacon pid ${beacon.pid}`,
    );

    // Warm-up: both groups in and out once, then the empty node's baseline.
    await steady.start();
    await churn.start();
    await sleep(2_000);
    await churn.stop();
    await steady.stop();
    await sleep(SETTLE_SECONDS * 1000);
    const baseline = await sampler.sample();

    await steady.start();
    const samples: ProcessSample[] = [];
    const endAt = performance.now() + minutes * 60_000;
    while (performance.now() < endAt) {
      const cycleEnd = performance.now() + cycleSeconds * 1000;
      await churn.start();
      await sleep(cycleEnd - SETTLE_SECONDS * 1000 - performance.now());
      await churn.stop();
      await sleep(cycleEnd - performance.now());
      const sample = await sampler.sample();
      samples.push(sample);
      console.log(JSON.stringify(sample));
    }
    await steady.stop();

    let after = await sampler.sample();
    const settleUntil = performance.now() + FD_SETTLE_MS;
    while (
      performance.now() < settleUntil &&
      !(
        fdsBackToBaseline(baseline.beaconFds, after.beaconFds) && fdsBackToBaseline(baseline.workerFds, after.workerFds)
      )
    ) {
      await sleep(1_000);
      after = await sampler.sample();
    }
    return report(baseline, samples, after, steady, churn);
  } finally {
    for (const g of groups) await g.stop();
    await beacon.stop();
  }
}

function report(
  baseline: ProcessSample,
  samples: ProcessSample[],
  after: ProcessSample,
  steady: LoadGenerator,
  churn: LoadGenerator,
): boolean {
  console.log('\n## Samples (end of each cycle: steady group in, churn group out)');
  console.table([{ label: 'baseline (empty)', ...baseline }, ...samples, { label: 'after (empty)', ...after }]);

  const memory = (['beaconRssMb', 'beaconHeapUsedMb', 'workerRssMb'] as const).map((key) => ({
    series: key,
    ...memoryVerdict(samples.map((s) => [s.atSeconds, s[key]])),
  }));
  console.log('\n## Memory: last third vs middle third');
  console.table(memory);

  const fds = [
    { process: 'beacon', baseline: baseline.beaconFds, after: after.beaconFds },
    { process: 'mediasoup workers', baseline: baseline.workerFds, after: after.workerFds },
  ].map((row) => ({ ...row, backToBaseline: fdsBackToBaseline(row.baseline, row.after) }));
  console.log('\n## File descriptors with the node empty, before and after');
  console.table(fds);

  const load = { steady: steady.stats.summary(), churn: churn.stats.summary() };
  console.log('\n## Load');
  console.table(
    Object.entries(load).map(([group, s]) => ({
      group,
      attempted: s.attempted,
      joined: s.joined,
      left: s.left,
      joinP50Ms: s.joinP50Ms,
      joinP95Ms: s.joinP95Ms,
      rtpPacketsSent: s.rtpPacketsSent,
      rtpSendErrors: s.rtpSendErrors,
      failures: JSON.stringify(s.failures),
      disconnects: JSON.stringify(s.disconnects),
    })),
  );

  const clean = Object.values(load).every(
    (s) => s.joined === s.attempted && s.left === s.joined && Object.keys(s.disconnects).length === 0,
  );
  const flat = memory.every((m) => m.flat) && fds.every((f) => f.backToBaseline);
  console.log(
    `\nVERDICT: ${flat && clean ? 'FLAT' : 'NOT FLAT'} (memory flat: ${memory.every((m) => m.flat)}, ` +
      `fds back to baseline: ${fds.every((f) => f.backToBaseline)}, every join/leave clean: ${clean})`,
  );
  return flat && clean;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
