/**
 * Shared by the media benchmarks (fanout.ts, broadcast.ts): a UDP sink for
 * plain consumers, worker CPU from procfs, and consumer stats sampled in
 * batches.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MediaServer } from '@beacon/media-server';

/** DESIGN §5: getStats() on many consumers at once stalls the worker. */
export const STATS_BATCH = 100;
export const WARMUP_MS = 2_000;
export const CLOCK_TICKS_PER_SECOND = 100;

/** What the producer sends: a 720p30 stream at 1.5 Mbit/s, like a terminal's top simulcast layer. */
export const BENCH_VIDEO = { size: '1280x720', rate: 30, bitrate: '1500k' };

type ConsumerStat = Awaited<ReturnType<MediaServer['getConsumerStats']>>[number];

export interface ConsumerRef {
  peerId: string;
  consumerId: string;
}

/** Outbound stats of each consumer, in sequential batches so the worker never stalls on one huge request. */
export async function sampleConsumerStats(
  server: MediaServer,
  roomId: string,
  consumers: ConsumerRef[],
): Promise<(ConsumerStat | undefined)[]> {
  const all: (ConsumerStat | undefined)[] = [];
  for (let i = 0; i < consumers.length; i += STATS_BATCH) {
    const batch = consumers.slice(i, i + STATS_BATCH);
    const stats = await Promise.all(batch.map((c) => server.getConsumerStats(roomId, c.peerId, c.consumerId)));
    for (const [stat] of stats) all.push(stat);
  }
  return all;
}

export async function sumPacketCounts(server: MediaServer, roomId: string, consumers: ConsumerRef[]): Promise<number> {
  const stats = await sampleConsumerStats(server, roomId, consumers);
  return stats.reduce((total, stat) => total + (stat?.packetCount ?? 0), 0);
}

/** Runs `fn` and stamps its result with the middle of the time it took. */
export async function timed(fn: () => Promise<number>): Promise<{ value: number; at: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, at: (start + performance.now()) / 2 };
}

/** utime + stime of a process in clock ticks. */
async function cpuTicks(pid: number): Promise<number> {
  const { user, system } = await cpuTimes(pid);
  return user + system;
}

/** utime and stime of a process in clock ticks (proc(5): fields 14 and 15). */
export async function cpuTimes(pid: number): Promise<{ user: number; system: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/**
 * Measures one window of `seconds`: the worker's CPU (100 = one core), the
 * consumers' forwarded packets per second (mediasoup stats) and the RTP
 * datagrams the sink received per second.
 */
export interface WindowFigures {
  /** Length of the measurement window. */
  seconds: number;
  /** Worker process CPU (user + system) over the window; 100 = one full core. */
  workerCpuPercent: number;
  /** Sum of the consumers' outbound packetCount deltas per second (mediasoup stats). */
  statsPacketsPerSecond: number;
  /** RTP packets that reached the local sockets per second. */
  receivedPacketsPerSecond: number;
}

export async function measureWindow(
  server: MediaServer,
  roomId: string,
  consumers: ConsumerRef[],
  sink: UdpSink,
  seconds: number,
): Promise<WindowFigures> {
  const pid = server.workerPids()[0];
  if (pid === undefined) throw new Error('no live worker');
  const packetCount = () => sumPacketCounts(server, roomId, consumers);
  const statsStart = await timed(packetCount);
  const cpuStart = await cpuTicks(pid);
  const receivedStart = sink.received;
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const receivedDelta = sink.received - receivedStart;
  const cpuDelta = (await cpuTicks(pid)) - cpuStart;
  const statsEnd = await timed(packetCount);
  const statsSeconds = (statsEnd.at - statsStart.at) / 1000;
  return {
    seconds: round(wallSeconds, 1),
    workerCpuPercent: round(((cpuDelta / CLOCK_TICKS_PER_SECOND) * 100) / wallSeconds, 1),
    statsPacketsPerSecond: Math.round((statsEnd.value - statsStart.value) / statsSeconds),
    receivedPacketsPerSecond: Math.round(receivedDelta / wallSeconds),
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A few UDP sockets shared by all consumers; counts RTP (not RTCP) datagrams. */
export class UdpSink {
  received = 0;
  readonly #sockets: dgram.Socket[];

  private constructor(sockets: dgram.Socket[]) {
    this.#sockets = sockets;
    for (const socket of sockets) {
      socket.on('message', (message) => {
        const second = message[1] ?? 0;
        if (second < 192 || second > 223) this.received += 1;
      });
    }
  }

  static async open(count: number): Promise<UdpSink> {
    const sockets = Array.from({ length: count }, () => dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 }));
    await Promise.all(
      sockets.map((socket) => {
        socket.bind(0, '127.0.0.1');
        return once(socket, 'listening');
      }),
    );
    return new UdpSink(sockets);
  }

  port(consumerIndex: number): number {
    const socket = this.#sockets[consumerIndex % this.#sockets.length];
    if (!socket) throw new Error('no sockets');
    return socket.address().port;
  }

  close(): void {
    for (const socket of this.#sockets) socket.close();
  }
}

/** One loopback media server and sink for a series of steps, closed whatever happens. */
export async function forEachStep<T>(
  steps: number[],
  sockets: number,
  measure: (server: MediaServer, sink: UdpSink, step: number) => Promise<T>,
): Promise<T[]> {
  const { MediaServer } = await import('@beacon/media-server');
  const { loopbackOptions } = await import('@beacon/media-server/testing');
  const server = await MediaServer.create(await loopbackOptions());
  const sink = await UdpSink.open(sockets);
  const results: T[] = [];
  try {
    for (const step of steps) results.push(await measure(server, sink, step));
  } finally {
    sink.close();
    await server.close();
  }
  return results;
}

/**
 * The command line of a bench module run directly:
 * `--seconds S --<listOption> a,b,c`, printing the results as a table.
 */
export function benchCli(
  moduleUrl: string,
  listOption: string,
  defaultList: string,
  run: (steps: number[], seconds: number) => Promise<unknown[]>,
): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '10' }, [listOption]: { type: 'string', default: defaultList } },
  });
  // Keep the table readable: media-server logs below warn stay quiet unless asked for.
  process.env.LOG_LEVEL ??= 'warn';
  const list = String(values[listOption]).split(',').map(Number);
  run(list, Number(values.seconds)).then(console.table, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/** A fresh room with a VP8 plain producer for the bench's source (ffmpeg is spawned by the caller). */
export async function roomWithVideoSource(server: MediaServer, roomId: string, peerId: string) {
  const { FFMPEG_VP8_RTP_PARAMETERS } = await import('@beacon/media-server/testing');
  await server.ensureRoom(roomId);
  return server.createPlainProducer(roomId, peerId, { kind: 'video', rtpParameters: FFMPEG_VP8_RTP_PARAMETERS });
}
