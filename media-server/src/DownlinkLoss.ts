/**
 * The share of the packets sent to one receiver that its link lost, 0-1,
 * pooled over all its send streams (audio and video) and over the last
 * seconds, from the receiver's RTCP reports as mediasoup keeps them on each
 * send stream: cumulative packets lost (the receiver's count) against
 * packets sent. With RTX, retransmissions arrive on their own SSRC, so a
 * lost packet counts even when repaired.
 *
 * Why pooled and not each report's own fraction lost: one report covers
 * about a second, and a township's 320-px video sends 10-15 packets in it —
 * one packet of a link's usual 3 % of random loss reads as 7-10 %, over the
 * congestion line, several times a minute. (mediasoup 3.29 removed the
 * transport-wide loss from transport-cc feedback that stood here before; it
 * counted every packet of the transport.) A window of at least
 * `minPackets` packets makes 3 % read as 3 % give or take one, while an
 * overfilled link, a third or more lost, still shows within two seconds.
 *
 * The receiver's count trails what was sent by up to one report interval
 * (about 1 s for video, 5 s for audio); over a window of seconds that
 * shifts which packets are counted, not the share.
 *
 * An outage is not congestion. While nothing at all comes back from the
 * receiver (the caller says so: its transport received no byte since the
 * last reading — no RTCP, no transport-cc feedback), there is nothing to
 * read. When the link returns, each stream's first report counts every
 * packet sent into the dead link as lost — seconds of them, 100 % — and
 * lowering the budget on that would hold the township's video back just
 * when its link came back. So after a silence each stream starts over from
 * its first new report (its loss or round trip changed), and the
 * window is emptied.
 */

/** What one send stream's stats say (mediasoup's outbound-rtp stats). */
export interface SendStreamCounts {
  ssrc: number;
  /** Packets sent, cumulative. */
  packetCount: number;
  /** Packets lost, cumulative, as the receiver's last report counts them. */
  packetsLost: number;
  /** The last report's fraction lost and round trip: a change means a new report arrived. */
  fractionLost?: number;
  roundTripTime?: number;
}

export interface DownlinkLossOptions {
  /** The window grows over past readings until it holds this many packets sent. */
  minPackets: number;
  /** … and spans at least this many readings. */
  minReadings: number;
  /** Readings kept (the longest window, for a link that sends little). */
  maxReadings: number;
  /** Fewer packets than this in the longest window: nothing to say. */
  minPacketsAtAll: number;
}

export const DEFAULT_DOWNLINK_LOSS: DownlinkLossOptions = {
  minPackets: 200,
  minReadings: 2,
  maxReadings: 8,
  minPacketsAtAll: 30,
};

export class DownlinkLoss {
  readonly #options: DownlinkLossOptions;
  /** Per SSRC: the counters at the last reading. */
  readonly #last = new Map<number, SendStreamCounts>();
  /** After a silence: the streams that start over at their first new report. */
  readonly #restarting = new Set<number>();
  #silent = false;
  /** Packets sent and lost between readings, oldest first. */
  readonly #readings: { sent: number; lost: number }[] = [];

  constructor(options: Partial<DownlinkLossOptions> = {}) {
    this.#options = { ...DEFAULT_DOWNLINK_LOSS, ...options };
  }

  /**
   * Takes one reading of the send streams; returns the loss over the window, or undefined.
   * `heard`: something came back from the receiver since the last reading (false: an outage, see above).
   */
  read(streams: SendStreamCounts[], heard = true): number | undefined {
    const o = this.#options;
    if (!heard) {
      this.#silent = true;
      return undefined;
    }
    if (this.#silent) {
      this.#silent = false;
      this.#readings.length = 0;
      for (const ssrc of this.#last.keys()) this.#restarting.add(ssrc);
    }
    let sent = 0;
    let lost = 0;
    const live = new Set<number>();
    for (const stream of streams) {
      live.add(stream.ssrc);
      const before = this.#last.get(stream.ssrc);
      if (before && this.#restarting.has(stream.ssrc)) {
        // Counted from the first report after the silence: until it comes, the baseline stays where it was.
        if (!newReport(before, stream)) continue;
        this.#restarting.delete(stream.ssrc);
        this.#last.set(stream.ssrc, stream);
        continue;
      }
      this.#last.set(stream.ssrc, stream);
      // A stream seen anew has no interval yet; counters that went back (a duplicate counted as negative
      // loss by the receiver, a stream restarted) count as nothing.
      if (!before) continue;
      sent += Math.max(0, stream.packetCount - before.packetCount);
      lost += Math.max(0, stream.packetsLost - before.packetsLost);
    }
    for (const ssrc of this.#last.keys()) {
      if (live.has(ssrc)) continue;
      this.#last.delete(ssrc);
      this.#restarting.delete(ssrc);
    }
    this.#readings.push({ sent, lost });
    if (this.#readings.length > o.maxReadings) this.#readings.shift();

    let windowSent = 0;
    let windowLost = 0;
    let readings = 0;
    for (let i = this.#readings.length - 1; i >= 0; i--) {
      const reading = this.#readings[i] as { sent: number; lost: number };
      windowSent += reading.sent;
      windowLost += reading.lost;
      readings += 1;
      if (readings >= o.minReadings && windowSent >= o.minPackets) break;
    }
    if (windowSent < o.minPacketsAtAll) return undefined;
    return Math.min(1, windowLost / windowSent);
  }
}

/** The stream's receiver report changed since `before` (a report that lost nothing still moves its round trip). */
function newReport(before: SendStreamCounts, now: SendStreamCounts): boolean {
  return (
    before.packetsLost !== now.packetsLost ||
    before.fractionLost !== now.fractionLost ||
    before.roundTripTime !== now.roundTripTime
  );
}
