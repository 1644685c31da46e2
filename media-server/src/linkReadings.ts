/**
 * What LinkBudgets reads of a receive link once a second: the producers'
 * stream bitrates, the send streams' packet counts, mediasoup's bandwidth
 * estimates — small pure helpers kept apart from the budget's decisions.
 */
import type { types as ms } from 'mediasoup';
import type { SendStreamCounts } from './DownlinkLoss.ts';

/** mediasoup's bandwidth estimates kept per link; their median is what the link carries now. */
const ESTIMATE_SAMPLES = 5;

/** Bits/s of each stream of a producer, by encoding index (0 for a single stream). */
export type StreamBitrates = number[];

/** A simulcast video consumer: the layer its receiver asked for and its producer's stream bitrates. */
export interface VideoDemand {
  consumerId: string;
  cap: number;
  streams: StreamBitrates;
}

/**
 * A producer's bitrate per encoding. A simulcast stream's bitrate includes
 * all its temporal layers: the demand of a consumer preferring that layer.
 */
export async function readStreamBitrates(producer: ms.Producer): Promise<StreamBitrates> {
  if (producer.closed) return [];
  const stats = await producer.getStats().catch(() => []);
  const encodings = producer.rtpParameters.encodings ?? [];
  if (encodings.length <= 1) return [stats.reduce((sum, s) => sum + (s.bitrate ?? 0), 0)];
  return encodings.map((encoding) => {
    const stream = stats.find(
      (s) =>
        (encoding.rid !== undefined && s.rid === encoding.rid) ||
        (encoding.ssrc !== undefined && s.ssrc === encoding.ssrc),
    );
    return stream?.bitrate ?? 0;
  });
}

/**
 * While no video consumer of this receiver gets any layer: the audio plus the lowest layer of the video first
 * in line (highest asked-for layer, as #limitLayers shares the budget). Undefined while some video flows.
 */
export function firstLayerWhenHeldBack(
  consumers: ms.Consumer[],
  videos: VideoDemand[],
  audioBitrate: number,
): number | undefined {
  // A single-stream video has no layers to report: counted as getting through.
  const flowing = consumers.some(
    (c) =>
      c.kind === 'video' &&
      !c.closed &&
      !c.paused &&
      !c.producerPaused &&
      (c.currentLayers !== undefined || (c.type !== 'simulcast' && c.type !== 'svc')),
  );
  if (flowing) return undefined;
  const first = [...videos].sort((a, b) => b.cap - a.cap).find((v) => (v.streams[0] ?? 0) > 0);
  return first ? audioBitrate + (first.streams[0] as number) : undefined;
}

/** Packets sent and lost (the receiver's count) on each live send stream (see DownlinkLoss). */
export async function readSendStreamCounts(consumers: ms.Consumer[]): Promise<SendStreamCounts[]> {
  const live = consumers.filter((c) => !c.closed && !c.paused && !c.producerPaused);
  const all = await Promise.all(live.map((c) => c.getStats().catch(() => [])));
  return all.flatMap((stats) =>
    stats
      .filter((stat) => stat.type === 'outbound-rtp')
      .map(({ ssrc, packetCount, packetsLost, fractionLost, roundTripTime }) => ({
        ssrc,
        packetCount,
        packetsLost,
        fractionLost,
        roundTripTime,
      })),
  );
}

/** Appends a positive reading, keeping the last ESTIMATE_SAMPLES. */
export function remember(readings: number[], value: number | undefined): number[] {
  if (value !== undefined && value > 0) readings.push(value);
  if (readings.length > ESTIMATE_SAMPLES) readings.shift();
  return readings;
}

/** 0 when empty. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number);
}
