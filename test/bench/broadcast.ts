/**
 * Broadcast benchmark (a city-wide briefing): one presenter sends VP8 720p30
 * at 1.5 Mbit/s plus Opus audio (ffmpeg over PlainTransports) to N view-only
 * receivers, each a PlainTransport consumer of both, on one worker. For each
 * N it reports the worker's CPU, packets forwarded per second, and the video
 * consumers' scores (0-10, from mediasoup stats sampled in batches of 100).
 *
 * Run: MEDIASOUP_WORKER_BIN=... node --import tsx test/bench/broadcast.ts [--seconds 10] [--receivers 100,200,400]
 * No assertions: figures depend on the machine.
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
  sampleConsumerStats,
  type UdpSink,
  WARMUP_MS,
  type WindowFigures,
} from './benchTools.ts';

/** statsPacketsPerSecond counts video and audio consumers. */
export interface BroadcastResult extends WindowFigures {
  receivers: number;
  /** Mean and minimum score of the video consumers at the end of the window. */
  videoScoreMean: number;
  videoScoreMin: number;
}

const SOCKETS = 8;

export async function runBroadcast(opts: { receivers: number[]; seconds: number }): Promise<BroadcastResult[]> {
  return forEachStep(opts.receivers, SOCKETS, (server, sink, n) => measure(server, sink, n, opts.seconds));
}

async function measure(server: MediaServer, sink: UdpSink, n: number, seconds: number): Promise<BroadcastResult> {
  const testing = await import('@beacon/media-server/testing');
  const roomId = `broadcast-${n}`;
  const video = await roomWithVideoSource(server, roomId, 'presenter');
  const audio = await server.createPlainProducer(roomId, 'presenter', {
    kind: 'audio',
    rtpParameters: testing.FFMPEG_OPUS_RTP_PARAMETERS,
  });
  const videoConsumers: ConsumerRef[] = [];
  const allConsumers: ConsumerRef[] = [];
  for (let i = 0; i < n; i++) {
    const peerId = `viewer-${i}`;
    for (const producer of [video, audio]) {
      const consumer = await server.createPlainConsumer(roomId, peerId, producer.producerId, {
        remoteIp: '127.0.0.1',
        remotePort: sink.port(allConsumers.length),
      });
      const ref = { peerId, consumerId: consumer.consumerId };
      allConsumers.push(ref);
      if (producer === video) videoConsumers.push(ref);
    }
  }
  const senders = [
    testing.spawnFfmpegVp8(video.ip, video.port, video.rtcpPort, BENCH_VIDEO),
    testing.spawnFfmpegOpus(audio.ip, audio.port, audio.rtcpPort),
  ];
  try {
    await delay(WARMUP_MS);
    const window = await measureWindow(server, roomId, allConsumers, sink, seconds);
    const scores = (await sampleConsumerStats(server, roomId, videoConsumers)).map((stat) => stat?.score ?? 0);
    return {
      receivers: n,
      ...window,
      videoScoreMean: round(scores.reduce((sum, score) => sum + score, 0) / Math.max(1, scores.length), 2),
      videoScoreMin: Math.min(...scores),
    };
  } finally {
    await Promise.all(senders.map((sender) => testing.stopProcess(sender)));
    server.closeRoom(roomId);
  }
}

benchCli(import.meta.url, 'receivers', '100,200,400', (steps, seconds) => runBroadcast({ receivers: steps, seconds }));
