import { describe, expect, it } from 'vitest';
import { DownlinkLoss, type SendStreamReport } from './DownlinkLoss.ts';

const video = (fractionLost: number, packetsLost: number, bitrate = 150_000): SendStreamReport => ({
  ssrc: 1,
  fractionLost,
  packetsLost,
  bitrate,
});
const audio = (fractionLost: number, packetsLost: number): SendStreamReport => ({
  ssrc: 2,
  fractionLost,
  packetsLost,
  bitrate: 40_000,
});

describe('DownlinkLoss', () => {
  it('weights each stream’s fraction lost by its bitrate', () => {
    const loss = new DownlinkLoss();
    // 25 % on video (64/256), none on audio.
    expect(loss.read([video(64, 10), audio(0, 0)])).toBeCloseTo((0.25 * 150) / 190, 5);
  });

  it('reads one noisy report once: the same report read again a second later is left out', () => {
    const loss = new DownlinkLoss();
    expect(loss.read([video(26, 5)])).toBeCloseTo(26 / 256, 5);
    // No new report from the receiver yet: nothing to say.
    expect(loss.read([video(26, 5)])).toBeUndefined();
    // The next report: 2 more lost.
    expect(loss.read([video(8, 7)])).toBeCloseTo(8 / 256, 5);
  });

  it('a clean report read again still says "no loss"', () => {
    const loss = new DownlinkLoss();
    expect(loss.read([video(0, 5)])).toBe(0);
    expect(loss.read([video(0, 5)])).toBe(0);
  });

  it('the audio’s new report alone does not stand for a link whose video has not reported again', () => {
    const loss = new DownlinkLoss();
    loss.read([video(40, 12), audio(0, 0)]);
    expect(loss.read([video(40, 12), audio(0, 0)])).toBeUndefined();
  });

  it('forgets streams that stopped, and says nothing with no stream sending', () => {
    const loss = new DownlinkLoss();
    expect(loss.read([])).toBeUndefined();
    loss.read([video(26, 5)]);
    loss.read([]);
    // The same numbers from a stream seen anew count again.
    expect(loss.read([video(26, 5)])).toBeCloseTo(26 / 256, 5);
  });
});
