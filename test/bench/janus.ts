/**
 * Peer benchmark (Beacon's SFU against a widely used one): the same fan-out job through Beacon's media-server
 * (one mediasoup worker) and through Janus 1.1 VideoRoom, on this machine, in
 * one run. Both SFUs receive plain RTP and send N plain RTP copies to local
 * UDP sockets — no ICE, DTLS or SRTP on either side:
 *
 *   ffmpeg VP8 720p30 1.5 Mbit/s, recorded once ─► RtpLoop (replays, counts input)
 *       ├─► Beacon: PlainTransport producer ─► N PlainTransport consumers ─┐
 *       └─► Janus: VideoRoom remote publisher ─► N rtp_forward ────────────┴─► UdpSink (counts output)
 *
 * The input is byte-identical for both (rtpLoop.ts says why a recording and
 * not a live encoder). The SFUs are measured one after the other, never
 * together: they would compete for the same cores. The order alternates
 * between steps so a change in machine load during the run does not always
 * favour the same side.
 *
 * Janus side: `add_remote_publisher` (VideoRoom ≥ 1.1, the cascading API)
 * makes a publisher that takes plain RTP on a UDP port, and `rtp_forward`
 * sends its stream to N host:ports (test/src/janus.ts; the loop rewrites the
 * SSRC to the one Janus maps to the publisher's stream).
 *
 * Per SFU process: CPU (utime+stime from procfs over a steady window, 100 =
 * one core, all threads), RTP packets/s that reached the receivers, loss
 * against N × the measured input rate, and where packets were dropped: at
 * the SFU's input socket (SFU not scheduled), at the receivers (this process
 * too slow), or neither (the SFU did not send them). CPU per delivered packet
 * stays comparable when a busy machine causes loss; CPU per stream does not.
 *
 * Run: node --import tsx test/bench/janus.ts [--seconds 10] [--subscribers 100,200,400]
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { MediaServer } from '@beacon/media-server';
import {
  createRemoteVideoPublisher,
  forwardVideo,
  JANUS_REMOTE_VIDEO_SSRC,
  type JanusProcess,
  JanusSession,
  startJanus,
} from '../src/janus.ts';
import {
  BENCH_VIDEO,
  benchCli,
  CLOCK_TICKS_PER_SECOND,
  cpuTimes,
  roomWithVideoSource,
  round,
  UdpSink,
  WARMUP_MS,
} from './benchTools.ts';
import { type LoopTarget, RtpLoop } from './rtpLoop.ts';

/**
 * Receiving sockets shared by the subscribers. More than fanout.ts' 4: each
 * buffers ~1,800 datagrams (4 MB), and on a busy machine this process can
 * stall long enough for 400 × 160 packets/s to overflow 4 of them.
 */
const SINK_SOCKETS = 16;
/** Length of the recorded input (played in a loop): 8 key frames' worth. */
const RECORD_SECONDS = 8;

type Sfu = 'Beacon' | 'Janus';

export interface PeerRow {
  subscribers: number;
  sfu: string;
  /** SFU process CPU (all threads) over the window; 100 = one core. */
  cpuPercent: number;
  /** cpuPercent / subscribers: share of a core per forwarded stream. */
  cpuPerStream: number;
  /** CPU microseconds per packet the SFU delivered (received + receiver drops): robust to loss. */
  usPerPacket: number;
  /** Share of the CPU spent in the kernel (stime): mostly sendto; the rest is the SFU's own code. */
  kernelPercent: number;
  inputPps: number;
  /** RTP packets/s read by the receivers. */
  receivedPps: number;
  /** 1 − received / (subscribers × input): what the receivers missed. */
  lossPercent: number;
  /** 1 − (received + receiver drops) / (subscribers × input): what the SFU did not deliver. */
  sfuLossPercent: number;
  /**
   * Datagrams/s the kernel dropped for a full receive buffer (/proc/net/udp
   * `drops`) at the receivers' sockets (this Node process too slow) and at the
   * SFU's input socket (the SFU not scheduled in time: a busy machine).
   */
  receiverDropsPps: number;
  sfuInputDropsPps: number;
  /** 1-minute load average at the end of the window (2 cores here: above 2, processes wait). */
  load: number;
}

/** Beacon ÷ Janus per step: below 1 means Beacon spends less CPU (or forwards fewer packets). */
export interface PeerRatio {
  subscribers: number;
  cpuPerStream: number;
  cpuPerPacket: number;
  receivedPackets: number;
}

export interface PeerBenchResult {
  janusVersion: string;
  rows: PeerRow[];
  ratios: PeerRatio[];
}

/** One SFU set up to fan out: where the input goes and which process does the work. */
interface Fanout {
  pid: number;
  target: LoopTarget;
  close(): Promise<void>;
}

export async function runPeerBench(opts: { subscribers: number[]; seconds: number }): Promise<PeerBenchResult> {
  const { MediaServer } = await import('@beacon/media-server');
  const { loopbackOptions, spawnFfmpegVp8 } = await import('@beacon/media-server/testing');
  const server = await MediaServer.create(await loopbackOptions());
  const cleanups: (() => Promise<void> | void)[] = [() => server.close()];
  try {
    const janus = await startJanus();
    cleanups.push(() => janus.stop());
    const session = await JanusSession.attach(janus.apiUrl, 'janus.plugin.videoroom');
    const sink = await UdpSink.open(SINK_SOCKETS);
    cleanups.push(() => sink.close());
    const input = await RtpLoop.record(RECORD_SECONDS, BENCH_VIDEO.rate, (port, rtcpPort) =>
      spawnFfmpegVp8('127.0.0.1', port, rtcpPort, BENCH_VIDEO),
    );
    cleanups.push(() => input.close());

    const setUp: Record<Sfu, (n: number) => Promise<Fanout>> = {
      Beacon: (n) => beaconFanout(server, sink, n),
      Janus: (n) => janusFanout(janus, session, sink, n),
    };
    const rows: PeerRow[] = [];
    const ratios: PeerRatio[] = [];
    for (const [index, n] of opts.subscribers.entries()) {
      const order: Sfu[] = index % 2 === 0 ? ['Beacon', 'Janus'] : ['Janus', 'Beacon'];
      const step = {} as Record<Sfu, PeerRow>;
      for (const sfu of order) {
        const fanout = await setUp[sfu](n);
        try {
          input.playTo(fanout.target);
          await delay(WARMUP_MS);
          const row = await measureSteady(fanout, input, sink, n, opts.seconds);
          if (row.receivedPps === 0) throw new Error(`${sfu} forwarded nothing\n${janus.logTail()}`);
          step[sfu] = { subscribers: n, sfu: sfu === 'Janus' ? `Janus ${janus.version}` : 'Beacon', ...row };
        } finally {
          input.playTo(undefined);
          await fanout.close();
        }
      }
      rows.push(step.Beacon, step.Janus);
      ratios.push(ratio(n, step.Beacon, step.Janus));
    }
    await session.destroy();
    return { janusVersion: janus.version, rows, ratios };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function beaconFanout(server: MediaServer, sink: UdpSink, n: number): Promise<Fanout> {
  const roomId = `peer-${n}`;
  const producer = await roomWithVideoSource(server, roomId, 'source');
  for (let i = 0; i < n; i++) {
    await server.createPlainConsumer(roomId, 'sink', producer.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: sink.port(i),
    });
  }
  const pid = server.workerPids()[0];
  if (pid === undefined) throw new Error('no live mediasoup worker');
  return { pid, target: { ip: producer.ip, port: producer.port }, close: async () => server.closeRoom(roomId) };
}

async function janusFanout(janus: JanusProcess, session: JanusSession, sink: UdpSink, n: number): Promise<Fanout> {
  const room = n;
  const { publisherId, port } = await createRemoteVideoPublisher(janus, session, room);
  const ports = Array.from({ length: n }, (_, i) => sink.port(i));
  await forwardVideo(janus, session, room, publisherId, ports);
  return {
    pid: janus.pid,
    target: { ip: '127.0.0.1', port, ssrc: JANUS_REMOTE_VIDEO_SSRC },
    // Destroying the room also stops its forwarders and the remote publisher's thread.
    close: async () => void (await session.request({ request: 'destroy', room })),
  };
}

async function measureSteady(
  fanout: Fanout,
  input: RtpLoop,
  sink: UdpSink,
  subscribers: number,
  seconds: number,
): Promise<Omit<PeerRow, 'subscribers' | 'sfu'>> {
  const sinkPorts = Array.from({ length: SINK_SOCKETS }, (_, i) => sink.port(i));
  const dropCounters = () => Promise.all([socketDrops(sinkPorts), socketDrops([fanout.target.port])]);
  const [receiverDropsStart, inputDropsStart] = await dropCounters();
  const cpuStart = await cpuTimes(fanout.pid);
  const inputStart = input.sent;
  const receivedStart = sink.received;
  const wallStart = performance.now();
  await delay(seconds * 1000);
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const received = (sink.received - receivedStart) / wallSeconds;
  const sent = (input.sent - inputStart) / wallSeconds;
  const cpuEnd = await cpuTimes(fanout.pid);
  const systemTicks = cpuEnd.system - cpuStart.system;
  const ticks = cpuEnd.user - cpuStart.user + systemTicks;
  const cpuSeconds = ticks / CLOCK_TICKS_PER_SECOND;
  const [receiverDropsEnd, inputDropsEnd] = await dropCounters();
  const receiverDrops = (receiverDropsEnd - receiverDropsStart) / wallSeconds;
  const cpuPercent = (cpuSeconds * 100) / wallSeconds;
  return {
    cpuPercent: round(cpuPercent, 1),
    cpuPerStream: round(cpuPercent / subscribers, 3),
    usPerPacket: round((cpuSeconds * 1e6) / ((received + receiverDrops) * wallSeconds), 2),
    kernelPercent: Math.round((systemTicks * 100) / ticks),
    inputPps: round(sent, 1),
    receivedPps: Math.round(received),
    lossPercent: lossPercent(received, subscribers * sent),
    sfuLossPercent: lossPercent(received + receiverDrops, subscribers * sent),
    receiverDropsPps: Math.round(receiverDrops),
    sfuInputDropsPps: Math.round((inputDropsEnd - inputDropsStart) / wallSeconds),
    load: round(loadavg()[0] ?? Number.NaN, 1),
  };
}

function lossPercent(got: number, expected: number): number {
  return round(Math.max(0, 1 - got / expected) * 100, 2);
}

/**
 * Sum of the kernel's per-socket `drops` counters (last column of
 * /proc/net/udp) of the 127.0.0.1 sockets bound to `ports`.
 */
async function socketDrops(ports: number[]): Promise<number> {
  const wanted = new Set(ports.map((port) => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`));
  let drops = 0;
  for (const line of (await readFile('/proc/net/udp', 'utf8')).split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (wanted.has(fields[1] ?? '')) drops += Number(fields.at(-1));
  }
  return drops;
}

function ratio(subscribers: number, beacon: PeerRow, janus: PeerRow): PeerRatio {
  return {
    subscribers,
    cpuPerStream: round(beacon.cpuPerStream / janus.cpuPerStream, 2),
    cpuPerPacket: round(beacon.usPerPacket / janus.usPerPacket, 2),
    receivedPackets: round(beacon.receivedPps / janus.receivedPps, 3),
  };
}

/** The per-SFU table and the heading of the ratio table (the caller prints `ratios` under it). */
export function printPeerRows(result: PeerBenchResult): void {
  console.table(result.rows);
  console.log('Beacon / Janus (CPU below 1: Beacon cheaper; packets 1: same delivery)');
}

benchCli(import.meta.url, 'subscribers', '100,200,400', async (steps, seconds) => {
  const result = await runPeerBench({ subscribers: steps, seconds });
  printPeerRows(result);
  return result.ratios;
});
