/**
 * Connection quality from WebRTC stats: packet loss, round-trip time and
 * bitrate between two samples of the same stream, graded good/fair/poor.
 */
export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

export interface QualitySample {
  level: QualityLevel;
  /** Percent of packets lost since the previous sample. */
  lossPercent: number | null;
  rttMs: number | null;
  kbps: number | null;
}

/** Counters read from one stats report; the next report is compared against them. */
export interface StatsCounters {
  at: number;
  bytes: number;
  packets: number;
  lost: number;
}

export const UNKNOWN_QUALITY: QualitySample = { level: 'unknown', lossPercent: null, rttMs: null, kbps: null };

export function gradeQuality(lossPercent: number | null, rttMs: number | null): QualityLevel {
  if (lossPercent === null && rttMs === null) return 'unknown';
  const loss = lossPercent ?? 0;
  const rtt = rttMs ?? 0;
  if (loss >= 8 || rtt >= 500) return 'poor';
  if (loss >= 2 || rtt >= 200) return 'fair';
  return 'good';
}

type Stat = Record<string, unknown>;
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function selectedPairRtt(report: RTCStatsReport): number | null {
  for (const stat of report.values() as IterableIterator<Stat>) {
    if (stat.type === 'candidate-pair' && (stat.nominated || stat.selected) && stat.state === 'succeeded') {
      if (typeof stat.currentRoundTripTime === 'number') return stat.currentRoundTripTime * 1000;
    }
  }
  return null;
}

/** Receive side (a consumer's or a recv transport's report): loss from inbound-rtp, RTT from the candidate pair. */
export function inboundCounters(report: RTCStatsReport): { counters: StatsCounters | null; rttMs: number | null } {
  let counters: StatsCounters | null = null;
  for (const stat of report.values() as IterableIterator<Stat>) {
    if (stat.type !== 'inbound-rtp') continue;
    counters ??= { at: 0, bytes: 0, packets: 0, lost: 0 };
    counters.at = Math.max(counters.at, num(stat.timestamp));
    counters.bytes += num(stat.bytesReceived);
    counters.packets += num(stat.packetsReceived);
    counters.lost += num(stat.packetsLost);
  }
  return { counters, rttMs: selectedPairRtt(report) };
}

/** Frames decoded by the report's inbound video streams. */
export function framesDecoded(report: RTCStatsReport): number {
  let frames = 0;
  for (const stat of report.values() as IterableIterator<Stat>) {
    if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += num(stat.framesDecoded);
  }
  return frames;
}

/** Send side (the send transport's report): loss and RTT from remote-inbound-rtp. */
export function outboundCounters(report: RTCStatsReport): { counters: StatsCounters | null; rttMs: number | null } {
  let bytes = 0;
  let packets = 0;
  let lost = 0;
  let at = 0;
  let rtt: number | null = null;
  let seen = false;
  for (const stat of report.values() as IterableIterator<Stat>) {
    if (stat.type === 'outbound-rtp') {
      seen = true;
      bytes += num(stat.bytesSent);
      packets += num(stat.packetsSent);
      at = Math.max(at, num(stat.timestamp));
    } else if (stat.type === 'remote-inbound-rtp') {
      lost += num(stat.packetsLost);
      if (typeof stat.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, stat.roundTripTime * 1000);
    }
  }
  return { counters: seen ? { at, bytes, packets, lost } : null, rttMs: rtt ?? selectedPairRtt(report) };
}

export function sampleBetween(
  previous: StatsCounters | undefined,
  current: StatsCounters | null,
  rttMs: number | null,
): QualitySample {
  if (!current || !previous || current.at <= previous.at) {
    return { ...UNKNOWN_QUALITY, rttMs, level: gradeQuality(null, rttMs) };
  }
  const packets = current.packets - previous.packets;
  const lost = Math.max(0, current.lost - previous.lost);
  const lossPercent = packets + lost > 0 ? (100 * lost) / (packets + lost) : 0;
  const kbps = ((current.bytes - previous.bytes) * 8) / (current.at - previous.at);
  return {
    level: gradeQuality(lossPercent, rttMs),
    lossPercent: Math.round(lossPercent * 10) / 10,
    rttMs: rttMs === null ? null : Math.round(rttMs),
    kbps: Math.max(0, Math.round(kbps)),
  };
}
