/**
 * Samples connection quality every few seconds: per remote peer from the
 * stats of one of its consumers (video when it flows, else audio), and our
 * own uplink from the send transport (the recv transport for audience).
 * Results land in `state.quality` keyed by peerId, ours under SELF_KEY.
 * A sampled video that decoded no frame since the previous sample is marked
 * `stalled` (a frozen tile on a weak link gets a notice, not silence).
 */
import type { types } from 'mediasoup-client';
import type { ConferenceState } from './conferenceState.ts';
import type { MediaSession } from './MediaSession.ts';
import { framesDecoded, inboundCounters, outboundCounters, type StatsCounters, sampleBetween } from './quality.ts';

const INTERVAL_MS = 3000;
export const SELF_KEY = 'self';

export class QualityMonitor {
  readonly #state: ConferenceState;
  readonly #media: () => MediaSession | null;
  readonly #previous = new Map<string, StatsCounters>();
  /** Frames decoded at the previous sample, by video consumer. */
  readonly #frames = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;

  constructor(state: ConferenceState, media: () => MediaSession | null) {
    this.#state = state;
    this.#media = media;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#previous.clear();
    this.#frames.clear();
  }

  async #tick(): Promise<void> {
    const media = this.#media();
    if (this.#busy || !media || media.closed) return;
    this.#busy = true;
    try {
      const seen = new Set<string>([SELF_KEY]);
      for (const peerId of Object.keys(this.#state.peers)) {
        const consumer = this.#pickConsumer(media, peerId);
        if (!consumer) continue;
        seen.add(peerId);
        const report = await consumer.getStats();
        this.#sample(peerId, consumer.id, report, inboundCounters);
        this.#checkStalled(consumer.id, report);
      }
      const uplink = media.sendTransport ?? media.recvTransport;
      if (uplink && !uplink.closed) {
        const counters = media.sendTransport ? outboundCounters : inboundCounters;
        this.#sample(SELF_KEY, uplink.id, await uplink.getStats(), counters);
      }
      for (const key of Object.keys(this.#state.quality)) if (!seen.has(key)) delete this.#state.quality[key];
    } catch (error) {
      console.debug('[beacon] stats sample failed', error);
    } finally {
      this.#busy = false;
    }
  }

  #pickConsumer(media: MediaSession, peerId: string): types.Consumer | null {
    let audio: types.Consumer | null = null;
    for (const track of Object.values(this.#state.tracks)) {
      if (track.peerId !== peerId) continue;
      const consumer = media.consumer(track.consumerId);
      if (!consumer || consumer.closed) continue;
      if (track.kind === 'video' && !consumer.paused) return consumer;
      if (track.kind === 'audio') audio = consumer;
    }
    return audio;
  }

  #checkStalled(consumerId: string, report: RTCStatsReport): void {
    const track = this.#state.tracks[consumerId];
    if (track?.kind !== 'video') return;
    const frames = framesDecoded(report);
    const before = this.#frames.get(consumerId);
    this.#frames.set(consumerId, frames);
    track.stalled = before !== undefined && frames <= before;
    track.decoding = before !== undefined && frames > before;
  }

  #sample(
    key: string,
    streamId: string,
    report: RTCStatsReport,
    read: (report: RTCStatsReport) => { counters: StatsCounters | null; rttMs: number | null },
  ): void {
    const { counters, rttMs } = read(report);
    const previousKey = `${key}:${streamId}`;
    this.#state.quality[key] = sampleBetween(this.#previous.get(previousKey), counters, rttMs);
    if (counters) this.#previous.set(previousKey, counters);
  }
}
