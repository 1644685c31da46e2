/**
 * Fan-out benchmark: one mediasoup worker forwards one VP8 stream (ffmpeg test
 * pattern, 720p30 at 1.5 Mbit/s, over a PlainTransport) to N PlainTransport consumers sending to
 * local UDP sockets. For each N it reports the worker's CPU and the packets
 * forwarded per second, counted two ways (mediasoup stats and sockets).
 *
 * Run: MEDIASOUP_WORKER_BIN=... node --import tsx test/bench/fanout.ts [--seconds 10] [--consumers 50,100,200,400]
 * No assertions: figures depend on the machine (DESIGN §5 has reference numbers).
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { MediaServer } from '@beacon/media-server';

export interface FanoutResult {
  consumers: number;
  /** Length of the measurement window. */
  seconds: number;
  /** Worker process CPU (user + system) over the window; 100 = one full core. */
  workerCpuPercent: number;
  /** Sum of the consumers' outbound packetCount deltas per second (mediasoup stats). */
  statsPacketsPerSecond: number;
  /** RTP packets that reached the local sockets per second. */
  receivedPacketsPerSecond: number;
  /** What ffmpeg feeds in, per second (received / consumers). */
  inputPacketsPerSecond: number;
}

const SOCKETS = 4;
/** DESIGN §5: getStats() on many consumers at once stalls the worker. */
const STATS_BATCH = 100;
const WARMUP_MS = 2_000;
const CLOCK_TICKS_PER_SECOND = 100;

/** What the producer sends: a 720p30 stream at 1.5 Mbit/s, like a terminal's top simulcast layer. */
const BENCH_VIDEO = { size: '1280x720', rate: 30, bitrate: '1500k' };

export async function runFanout(opts: { consumers: number[]; seconds: number }): Promise<FanoutResult[]> {
  const { MediaServer } = await import('@beacon/media-server');
  const { loopbackOptions } = await import('@beacon/media-server/testing');
  const server = await MediaServer.create(await loopbackOptions());
  const sink = await UdpSink.open(SOCKETS);
  const results: FanoutResult[] = [];
  try {
    for (const consumers of opts.consumers) {
      results.push(await measure(server, sink, consumers, opts.seconds));
    }
  } finally {
    sink.close();
    await server.close();
  }
  return results;
}

async function measure(server: MediaServer, sink: UdpSink, n: number, seconds: number): Promise<FanoutResult> {
  const { FFMPEG_VP8_RTP_PARAMETERS, spawnFfmpegVp8, stopProcess } = await import('@beacon/media-server/testing');
  const roomId = `fanout-${n}`;
  await server.ensureRoom(roomId);
  const producer = await server.createPlainProducer(roomId, 'source', {
    kind: 'video',
    rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
  });
  const consumerIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const consumer = await server.createPlainConsumer(roomId, 'sink', producer.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: sink.port(i),
    });
    consumerIds.push(consumer.consumerId);
  }
  const ffmpeg = spawnFfmpegVp8(producer.ip, producer.port, producer.rtcpPort, BENCH_VIDEO);
  try {
    await delay(WARMUP_MS);
    const pid = server.workerPids()[0];
    if (pid === undefined) throw new Error('no live worker');
    const packetCount = () => sumPacketCounts(server, roomId, consumerIds);

    const statsStart = await timed(packetCount);
    const cpuStart = await cpuTicks(pid);
    const receivedStart = sink.received;
    const wallStart = performance.now();
    await delay(seconds * 1000);
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const receivedDelta = sink.received - receivedStart;
    const cpuDelta = (await cpuTicks(pid)) - cpuStart;
    const statsEnd = await timed(packetCount);

    const statsSeconds = (statsEnd.at - statsStart.at) / 1000;
    const received = receivedDelta / wallSeconds;
    return {
      consumers: n,
      seconds: round(wallSeconds, 1),
      workerCpuPercent: round(((cpuDelta / CLOCK_TICKS_PER_SECOND) * 100) / wallSeconds, 1),
      statsPacketsPerSecond: Math.round((statsEnd.value - statsStart.value) / statsSeconds),
      receivedPacketsPerSecond: Math.round(received),
      inputPacketsPerSecond: round(received / n, 1),
    };
  } finally {
    await stopProcess(ffmpeg);
    server.closeRoom(roomId);
  }
}

/** Sum of outbound packetCount, sampled in sequential batches so the worker never stalls on one huge request. */
async function sumPacketCounts(server: MediaServer, roomId: string, consumerIds: string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < consumerIds.length; i += STATS_BATCH) {
    const batch = consumerIds.slice(i, i + STATS_BATCH);
    const stats = await Promise.all(batch.map((id) => server.getConsumerStats(roomId, 'sink', id)));
    for (const [stat] of stats) total += stat?.packetCount ?? 0;
  }
  return total;
}

/** Runs `fn` and stamps its result with the middle of the time it took. */
async function timed(fn: () => Promise<number>): Promise<{ value: number; at: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, at: (start + performance.now()) / 2 };
}

/** utime + stime of a process in clock ticks (proc(5): fields 14 and 15). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A few UDP sockets shared by all consumers; counts RTP (not RTCP) datagrams. */
class UdpSink {
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '10' }, consumers: { type: 'string', default: '50,100,200,400' } },
  });
  // Keep the table readable: media-server logs below warn stay quiet unless asked for.
  process.env.LOG_LEVEL ??= 'warn';
  const results = await runFanout({
    consumers: values.consumers.split(',').map(Number),
    seconds: Number(values.seconds),
  });
  console.table(results);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
