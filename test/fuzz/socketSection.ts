/**
 * The socket part of `npm run fuzz`: FUZZ_ROUNDS identical rounds of
 * generated payloads from every role, Beacon's memory after each (a leak
 * shows as growth from round to round), then a normal join.
 */

import type { RecordingView } from '@beacon/protocol';
import { ProcessSampler } from '../soak/processSampler.ts';
import { type BeaconProcess, DEMO_PASSWORD } from '../src/beaconProcess.ts';
import { loginApi, SignalingClient } from '../src/signaling.ts';
import { fdKinds } from './fdKinds.ts';
import type { FuzzOptions } from './fuzzOptions.ts';
import { HeapProbe } from './heapProbe.ts';
import { IdPool } from './idPool.ts';
import { Random } from './random.ts';
import { roleTokens } from './roles.ts';
import type { SocketFigures } from './socketFigures.ts';
import { socketFuzz } from './socketFuzz.ts';

/** After a round: let closing sockets, rooms and recordings finish before memory is read. */
const SETTLE_MS = 10_000;

export interface SocketSectionResult {
  ok: boolean;
  crashed: boolean;
}

export async function socketSection(
  beacon: BeaconProcess,
  options: FuzzOptions,
  jwtSecret: string,
  alive: () => boolean,
): Promise<SocketSectionResult> {
  const sampler = new ProcessSampler(beacon.url, beacon.pid);
  const heap = await HeapProbe.connect(beacon.output(), beacon.pid);
  const measure = async (when: string) => {
    const { atSeconds: _, ...sample } = await sampler.sample();
    const afterGc = await heap.sample();
    return { when, ...sample, rssAfterGcMb: afterGc.rssMb, heapAfterGcMb: afterGc.heapUsedMb };
  };
  const memory = [await measure('before')];
  const clients = await roleTokens(beacon.url, jwtSecret);
  const ids = new IdPool();
  await seedIds(beacon.url, clients[0]?.token as string, ids);
  let findings = 0;
  for (let round = 1; round <= options.FUZZ_ROUNDS; round++) {
    const started = performance.now();
    // The same seed each round: identical rounds, so memory that grows from one to the next is kept, not working set.
    const figures = await socketFuzz({
      url: beacon.url,
      clients,
      payloads: options.FUZZ_PAYLOADS,
      window: options.FUZZ_WINDOW,
      ackTimeoutMs: options.FUZZ_ACK_TIMEOUT_MS,
      hugeStringBytes: options.FUZZ_HUGE_BYTES,
      random: new Random(options.seed),
      ids,
      onProgress: (sent) => console.log(`  round ${round}: ${sent} payloads`),
    });
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    if (!alive()) return { ok: false, crashed: true };
    memory.push(await measure(`after round ${round}`));
    console.log(`Beacon's fds by kind after round ${round}: ${JSON.stringify(await fdKinds(beacon.pid))}`);
    printRound(round, figures, seconds, clients.length);
    findings += figures.findingCount;
  }
  console.log('\n### Beacon memory (after each round, 10 s settled; then after a forced full GC)');
  console.table(memory);
  heap.close();

  const chair = await loginApi(beacon.url, 'chair', DEMO_PASSWORD);
  const recordings = await recordingOutcomes(beacon.url, chair.token);
  console.log('\n### Recordings the fuzz started (status, and failed ones with size 0)');
  console.table(recordings);
  const client = await SignalingClient.connect(beacon.url, chair.token);
  let joined = false;
  try {
    const ack = await client.join('city-weekly');
    joined = typeof ack.peerId === 'string' && ack.roomId === 'city-weekly';
  } finally {
    client.close();
  }
  console.log(`\nNormal join after the fuzz (chair → city-weekly): ${joined ? 'OK' : 'FAILED'}`);
  return { ok: joined && findings === 0 && !recordings['failed, size 0'], crashed: false };
}

/** The recordings of the demo rooms by status: a fuzzed `recording:start` must end `ready`, or still be recording. */
async function recordingOutcomes(url: string, token: string): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  for (const roomId of ['city-weekly', 'emergency-drill']) {
    const res = await fetch(`${url}/api/v1/rooms/${roomId}/recordings`, {
      headers: { authorization: `Bearer ${token}` },
    });
    for (const recording of res.ok ? ((await res.json()) as RecordingView[]) : []) {
      const key = recording.status === 'failed' && !recording.size ? 'failed, size 0' : recording.status;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
  }
  return outcomes;
}

async function seedIds(url: string, adminToken: string, ids: IdPool): Promise<void> {
  for (const path of ['/api/v1/rooms', '/api/v1/townships', '/api/v1/warnings', '/api/v1/admin/users']) {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (res.ok) ids.learn({ list: await res.json() });
  }
  for (const id of ['city-weekly', 'emergency-drill']) ids.add('roomId', id);
}

function printRound(round: number, figures: SocketFigures, seconds: number, sockets: number): void {
  console.log(
    `\n### Socket round ${round}: ${figures.sent} payloads from ${sockets} sockets in ${seconds.toFixed(1)} s ` +
      `(${Math.round(figures.sent / seconds)}/s)`,
  );
  console.table({
    'sent without an ack (ignored by design)': figures.withoutAck,
    'unknown events, unanswered (by design)': figures.unknownUnanswered,
    'no ack within the bound (a finding)': figures.noAck,
    'lost to a disconnect (socket closed by the server)': figures.lostToDisconnect,
    findings: figures.findingCount,
  });
  console.log('Payloads by mutation:');
  console.table(figures.byMutation);
  console.log('Acks by code:');
  console.table(sorted(figures.acksByCode));
  console.log('Ok acks by event (how deep the fuzz reached):');
  console.table(sorted(figures.okByEvent));
  if (Object.keys(figures.unsendable).length > 0) {
    console.log('Not sent (socket.io-client could not encode them):');
    console.table(sorted(figures.unsendable));
  }
  if (Object.keys(figures.disconnects).length > 0) {
    console.log('Disconnects:');
    console.table(sorted(figures.disconnects));
  }
  for (const finding of figures.findings) console.log('FINDING', JSON.stringify(finding));
}

function sorted(table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).sort((a, b) => b[1] - a[1]));
}
