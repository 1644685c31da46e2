/**
 * Fan-out benchmark: one mediasoup worker forwards one VP8 stream (ffmpeg test
 * pattern, 720p30 at 1.5 Mbit/s, over a PlainTransport) to N PlainTransport consumers sending to
 * local UDP sockets. For each N it reports the worker's CPU and the packets
 * forwarded per second, counted two ways (mediasoup stats and sockets).
 *
 * Run: MEDIASOUP_WORKER_BIN=... node --import tsx test/bench/fanout.ts [--seconds 10] [--consumers 50,100,200,400]
 * No assertions: figures depend on the machine (DESIGN §5 has reference numbers).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { MediaServer } from '@beacon/media-server';
import {
  BENCH_VIDEO,
  benchCli,
  type ConsumerRef,
  forEachStep,
  measureWindow,
  roomWithVideoSource,
  round,
  type UdpSink,
  WARMUP_MS,
  type WindowFigures,
} from './benchTools.ts';

export interface FanoutResult extends WindowFigures {
  consumers: number;
  /** What ffmpeg feeds in, per second (received / consumers). */
  inputPacketsPerSecond: number;
}

const SOCKETS = 4;

export async function runFanout(opts: { consumers: number[]; seconds: number }): Promise<FanoutResult[]> {
  return forEachStep(opts.consumers, SOCKETS, (server, sink, n) => measure(server, sink, n, opts.seconds));
}

async function measure(server: MediaServer, sink: UdpSink, n: number, seconds: number): Promise<FanoutResult> {
  const { spawnFfmpegVp8, stopProcess } = await import('@beacon/media-server/testing');
  const roomId = `fanout-${n}`;
  const producer = await roomWithVideoSource(server, roomId, 'source');
  const consumers: ConsumerRef[] = [];
  for (let i = 0; i < n; i++) {
    const consumer = await server.createPlainConsumer(roomId, 'sink', producer.producerId, {
      remoteIp: '127.0.0.1',
      remotePort: sink.port(i),
    });
    consumers.push({ peerId: 'sink', consumerId: consumer.consumerId });
  }
  const ffmpeg = spawnFfmpegVp8(producer.ip, producer.port, producer.rtcpPort, BENCH_VIDEO);
  try {
    await delay(WARMUP_MS);
    const window = await measureWindow(server, roomId, consumers, sink, seconds);
    return { consumers: n, ...window, inputPacketsPerSecond: round(window.receivedPacketsPerSecond / n, 1) };
  } finally {
    await stopProcess(ffmpeg);
    server.closeRoom(roomId);
  }
}

benchCli(import.meta.url, 'consumers', '50,100,200,400', (steps, seconds) => runFanout({ consumers: steps, seconds }));
