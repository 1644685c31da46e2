import { describe, expect, it } from 'vitest';
import { DownlinkLoss, type SendStreamCounts } from './DownlinkLoss.ts';

/** Deterministic "random" loss: packet n of a stream is lost when its hash falls under the share. */
function lostUpTo(count: number, share: number, salt: number): number {
  let lost = 0;
  for (let n = 0; n < count; n++) {
    const x = Math.sin(n * 12.9898 + salt * 78.233) * 43758.5453;
    if (x - Math.floor(x) < share) lost += 1;
  }
  return lost;
}

/** A township link: audio 50 packets/s, a 320-px video 12 packets/s, `share` of them lost at random. */
function townshipSecond(second: number, share: number): SendStreamCounts[] {
  const audio = 50 * second;
  const video = 12 * second;
  return [
    { ssrc: 1, packetCount: audio, packetsLost: lostUpTo(audio, share, 1) },
    { ssrc: 2, packetCount: video, packetsLost: lostUpTo(video, share, 2) },
  ];
}

describe('DownlinkLoss', () => {
  it('pools audio and video over a window of at least 200 packets', () => {
    const loss = new DownlinkLoss();
    expect(loss.read([{ ssrc: 1, packetCount: 0, packetsLost: 0 }])).toBeUndefined();
    // 100 sent, 10 lost: a window of one reading has too few packets to stand alone but says something.
    expect(loss.read([{ ssrc: 1, packetCount: 100, packetsLost: 10 }])).toBeCloseTo(0.1, 5);
    // Then 150 sent with none lost: two readings, 250 packets, 10 lost.
    expect(loss.read([{ ssrc: 1, packetCount: 250, packetsLost: 10 }])).toBeCloseTo(10 / 250, 5);
    // 300 more with 30 lost: the window is these and the one before (minimum two readings).
    expect(loss.read([{ ssrc: 1, packetCount: 550, packetsLost: 40 }])).toBeCloseTo(30 / 450, 5);
  });

  it('3 % of random loss on a township link reads near 3 %, never over the 8 % congestion line, second by second', () => {
    const loss = new DownlinkLoss();
    const readings: number[] = [];
    for (let second = 0; second <= 300; second++) {
      const value = loss.read(townshipSecond(second, 0.03));
      if (value !== undefined) readings.push(value);
    }
    expect(readings.length).toBeGreaterThan(290);
    expect(Math.max(...readings)).toBeLessThan(0.08);
    const mean = readings.reduce((a, b) => a + b, 0) / readings.length;
    expect(mean).toBeGreaterThan(0.02);
    expect(mean).toBeLessThan(0.04);
  });

  it('an overfilled link (40 % lost) shows within two readings', () => {
    const loss = new DownlinkLoss();
    for (let second = 0; second <= 10; second++) loss.read(townshipSecond(second, 0.03));
    const overfilled = (second: number): SendStreamCounts[] => {
      const clean = townshipSecond(10, 0.03);
      return clean.map((s) => {
        const extra = (s.ssrc === 1 ? 50 : 100) * (second - 10);
        return {
          ssrc: s.ssrc,
          packetCount: s.packetCount + extra,
          packetsLost: s.packetsLost + Math.round(extra * 0.4),
        };
      });
    };
    loss.read(overfilled(11));
    expect(loss.read(overfilled(12))).toBeGreaterThan(0.35);
  });

  it('forgets a stream that stopped; one that comes back starts a new interval', () => {
    const loss = new DownlinkLoss();
    loss.read([{ ssrc: 1, packetCount: 0, packetsLost: 0 }]);
    loss.read([{ ssrc: 1, packetCount: 200, packetsLost: 2 }]);
    loss.read([]);
    // Back with counters far on: nothing counted for the time it was away.
    expect(loss.read([{ ssrc: 1, packetCount: 5000, packetsLost: 900 }])).toBeCloseTo(2 / 200, 5);
    // Counters that went back count as nothing.
    expect(loss.read([{ ssrc: 1, packetCount: 5100, packetsLost: 880 }])).toBeCloseTo(2 / 300, 5);
  });

  it('an outage is not congestion: what was sent into a dead link does not count when the reports come back', () => {
    const loss = new DownlinkLoss();
    /** Sent up to `second`; the receiver's counts as of its last report, at `reportedAt`. */
    const at = (second: number, reportedAt: number, lostExtra: number): SendStreamCounts[] => {
      const sent = townshipSecond(second, 0.03);
      const reported = townshipSecond(reportedAt, 0.03);
      return sent.map((s, i) => ({
        ...s,
        packetsLost: (reported[i]?.packetsLost ?? 0) + lostExtra,
        roundTripTime: 150 + reportedAt,
      }));
    };
    for (let second = 0; second <= 10; second++) loss.read(at(second, second, 0));
    // 15 s with nothing back from the receiver: nothing to say, whatever the server keeps sending.
    for (let second = 11; second <= 25; second++) expect(loss.read(at(second, 10, 0), false)).toBeUndefined();
    // Back: the first reading still shows the old reports; then the first new ones count the 15 s as lost
    // (62 packets a second), which is the outage, not the link's loss.
    expect(loss.read(at(26, 10, 0))).toBeUndefined();
    expect(loss.read(at(27, 27, 62 * 15))).toBeUndefined();
    // From then on the link's usual loss again.
    const values: number[] = [];
    for (let second = 28; second <= 40; second++) {
      const value = loss.read(at(second, second, 62 * 15));
      if (value !== undefined) values.push(value);
    }
    expect(values.length).toBeGreaterThan(8);
    expect(Math.max(...values)).toBeLessThan(0.08);
  });
});
