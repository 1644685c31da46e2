/**
 * The share of the packets sent to one receiver that its link lost, 0-1,
 * from the receiver's RTCP reports as mediasoup keeps them on each send
 * stream: the fraction lost over the report's interval (1/256 units),
 * weighted by the stream's bitrate so a video stream's loss outweighs the
 * audio's. With RTX, retransmissions arrive on their own SSRC, so a lost
 * packet counts even when repaired. (mediasoup 3.29 removed the
 * transport-wide loss from transport-cc feedback, `rtpPacketLossSent`,
 * that stood here before.)
 *
 * Only reports that arrived since the last reading count. A stream keeps
 * its last report's fraction until the next report comes: Chromium reports
 * about once a second for video (randomised between 0.5 and 1.5 s) and
 * every few seconds for audio, so read once a second the same report would
 * often be read twice — and one noisy report of a few percent of random
 * loss on a township link would count as two samples over the congestion
 * line in a row, lowering the receive budget for nothing.
 */

/** What one send stream's stats say of the receiver's last report (mediasoup's outbound-rtp stats). */
export interface SendStreamReport {
  ssrc: number;
  /** The last report's fraction lost, in 1/256 units. */
  fractionLost: number;
  /** Cumulative packets lost, as the receiver counts them. */
  packetsLost: number;
  /** Bits/s the stream sends now. */
  bitrate: number;
}

export class DownlinkLoss {
  /** Per SSRC: the report last read. */
  readonly #seen = new Map<number, { fractionLost: number; packetsLost: number }>();

  /**
   * The loss over the reports new since the last call, or undefined when no
   * stream sends or the new reports cover less than half the bitrate: the
   * audio's report alone must not stand for a link whose video has not
   * reported yet.
   */
  read(reports: SendStreamReport[]): number | undefined {
    let weighted = 0;
    let weight = 0;
    let plain = 0;
    let streams = 0;
    let totalWeight = 0;
    const live = new Set<number>();
    for (const report of reports) {
      live.add(report.ssrc);
      totalWeight += report.bitrate;
      const before = this.#seen.get(report.ssrc);
      this.#seen.set(report.ssrc, { fractionLost: report.fractionLost, packetsLost: report.packetsLost });
      // A report that lost packets always moves the cumulative count; one that lost none cannot be told from
      // the last, and reading it again says only "no loss" again.
      const stale =
        before !== undefined &&
        report.fractionLost > 0 &&
        before.fractionLost === report.fractionLost &&
        before.packetsLost === report.packetsLost;
      if (stale) continue;
      const fraction = report.fractionLost / 256;
      weighted += fraction * report.bitrate;
      weight += report.bitrate;
      plain += fraction;
      streams += 1;
    }
    for (const ssrc of this.#seen.keys()) if (!live.has(ssrc)) this.#seen.delete(ssrc);
    if (streams === 0 || weight < totalWeight / 2) return undefined;
    return weight > 0 ? weighted / weight : plain / streams;
  }
}
