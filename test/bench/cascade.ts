/**
 * Cascade figures: `node --import tsx test/bench/cascade.ts [--consumers 50] [--seconds 10]`.
 *
 * Two media node processes on loopback (one worker each) and one VP8 source
 * (ffmpeg, 720p30 1.5 Mbit/s) produced on node A.
 *
 * - CPU of one pipe hop: N plain consumers all on node A (local) versus all
 *   on node B (fed through one PipeTransport); CPU of each node process plus
 *   its worker, as its heartbeat reports it, averaged over the window.
 * - Added latency of one hop: one receiver on A and one on B get the same
 *   packets; each packet (matched by RTP timestamp and payload) arrives at
 *   the B receiver later than at the A receiver by the hop's cost.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { NodeHeartbeat } from '@beacon/media-server';
import { FFMPEG_VP8_RTP_PARAMETERS, parseRtp, spawnFfmpegVp8, stopProcess } from '@beacon/media-server/testing';
import { CascadedMediaControl, InMemoryMediaNodeRegistry } from '@beacon/signaling/media-nodes';
import { type MediaNodeProcess, mediaNodeKey, startMediaNode } from '../src/mediaNodeProcess.ts';
import { BENCH_VIDEO, round, UdpSink, WARMUP_MS } from './benchTools.ts';
import { percentile } from './stats.ts';

const ROOM = 'bench-cascade';

export interface CascadeFigures {
  consumers: number;
  cpuLocal: { nodeA: number; nodeB: number };
  cpuPiped: { nodeA: number; nodeB: number };
  hopLatencyMs: { p50: number; p95: number; matched: number };
}

/** Mean CPU % (node process + worker) of each node over `seconds` of heartbeats. */
async function meanCpu(cascade: CascadedMediaControl, seconds: number): Promise<{ nodeA: number; nodeB: number }> {
  const samples: Record<string, number[]> = { 'node-a': [], 'node-b': [] };
  const listeners = Object.keys(samples).map((nodeId) => {
    const listener = (beat: NodeHeartbeat) => samples[nodeId]?.push(beat.load.cpuPercent);
    cascade.node(nodeId).on('heartbeat', listener);
    return () => cascade.node(nodeId).off('heartbeat', listener);
  });
  await sleep(seconds * 1000);
  for (const off of listeners) off();
  const mean = (values: number[] = []) => round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 1);
  return { nodeA: mean(samples['node-a']), nodeB: mean(samples['node-b']) };
}

async function consumersOn(
  cascade: CascadedMediaControl,
  prefix: 'city' | 'county',
  count: number,
  producerId: string,
  sink: UdpSink,
): Promise<string[]> {
  const peers = Array.from({ length: count }, (_, i) => `${prefix}-viewer-${i}`);
  for (const [i, peerId] of peers.entries()) {
    await cascade.createPlainConsumer(ROOM, peerId, producerId, { remoteIp: '127.0.0.1', remotePort: sink.port(i) });
  }
  return peers;
}

/** Arrival times (ms) of each packet by RTP timestamp + payload tail, on one socket. */
async function arrivalRecorder() {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const arrivals = new Map<string, number>();
  socket.on('message', (message) => {
    const at = performance.now();
    const packet = parseRtp(message);
    if (!packet) return;
    const key = `${packet.timestamp}:${packet.payload.length}:${packet.payload.subarray(-16).toString('hex')}`;
    if (!arrivals.has(key)) arrivals.set(key, at);
  });
  return { port: socket.address().port, arrivals, close: () => socket.close() };
}

export async function runCascade(opts: { consumers: number; seconds: number }): Promise<CascadeFigures> {
  const key = mediaNodeKey();
  const nodes: MediaNodeProcess[] = [];
  let cascade: CascadedMediaControl | undefined;
  let ffmpeg: ChildProcess | undefined;
  const sink = await UdpSink.open(8);
  try {
    nodes.push(
      await startMediaNode({ nodeId: 'node-a', region: 'city', key }),
      await startMediaNode({ nodeId: 'node-b', region: 'county', key }),
    );
    cascade = await CascadedMediaControl.create({
      nodeUrls: nodes.map((node) => node.url),
      key,
      registry: new InMemoryMediaNodeRegistry(),
      regionOf: (_roomId, peerId) => (peerId.startsWith('city-') ? 'city' : 'county'),
    });
    await cascade.ensureRoom(ROOM);
    const source = await cascade.createPlainProducer(ROOM, 'city-source', {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
    });
    ffmpeg = spawnFfmpegVp8(source.ip, source.port, source.rtcpPort, BENCH_VIDEO);

    // Latency first, with nothing else forwarding: one receiver per node.
    const [atA, atB] = [await arrivalRecorder(), await arrivalRecorder()];
    await cascade.createPlainConsumer(ROOM, 'city-probe', source.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: atA.port,
    });
    await cascade.createPlainConsumer(ROOM, 'county-probe', source.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: atB.port,
    });
    await sleep(opts.seconds * 1000);
    const delays: number[] = [];
    for (const [packetKey, at] of atB.arrivals) {
      const local = atA.arrivals.get(packetKey);
      if (local !== undefined) delays.push(at - local);
    }
    atA.close();
    atB.close();
    cascade.closePeer(ROOM, 'city-probe');
    cascade.closePeer(ROOM, 'county-probe');

    // A peer on B with no consumer keeps the room there between the two runs.
    await cascade.createWebRtcTransport(ROOM, 'county-idle', 'recv');
    const local = await consumersOn(cascade, 'city', opts.consumers, source.producerId, sink);
    await sleep(WARMUP_MS);
    const cpuLocal = await meanCpu(cascade, opts.seconds);
    for (const peerId of local) cascade.closePeer(ROOM, peerId);

    const piped = await consumersOn(cascade, 'county', opts.consumers, source.producerId, sink);
    await sleep(WARMUP_MS);
    const cpuPiped = await meanCpu(cascade, opts.seconds);
    for (const peerId of piped) cascade.closePeer(ROOM, peerId);

    return {
      consumers: opts.consumers,
      cpuLocal,
      cpuPiped,
      hopLatencyMs: {
        p50: round(percentile(delays, 50), 3),
        p95: round(percentile(delays, 95), 3),
        matched: delays.length,
      },
    };
  } finally {
    await stopProcess(ffmpeg);
    sink.close();
    await cascade?.close();
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.LOG_LEVEL ??= 'warn';
  const { values } = parseArgs({
    options: { consumers: { type: 'string', default: '50' }, seconds: { type: 'string', default: '10' } },
  });
  const figures = await runCascade({ consumers: Number(values.consumers), seconds: Number(values.seconds) });
  console.log(`## Cascade: one PipeTransport hop (VP8 ${BENCH_VIDEO.size}@${BENCH_VIDEO.rate} ${BENCH_VIDEO.bitrate})`);
  console.table({
    [`${figures.consumers} consumers on node A (local)`]: figures.cpuLocal,
    [`${figures.consumers} consumers on node B (piped)`]: figures.cpuPiped,
  });
  console.log(
    `CPU % of one core per node (process + worker). Added latency of the hop: p50 ${figures.hopLatencyMs.p50} ms, ` +
      `p95 ${figures.hopLatencyMs.p95} ms over ${figures.hopLatencyMs.matched} packets.`,
  );
}
