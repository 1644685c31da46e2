import { describe, expect, it } from 'vitest';
import { runMixerBench } from './mixerBench.ts';

describe('runMixerBench', () => {
  it('drives real legs and taps and reports what the clock and the phones saw', async () => {
    const result = await runMixerBench({ rooms: 2, legsPerRoom: 3, speakersPerRoom: 1, seconds: 1 });
    expect(result.ticks).toBeGreaterThan(0);
    expect(result.framesSent).toBeGreaterThan(0);
    expect(result.framesSent).toBeLessThanOrEqual(result.framesExpected + 6);
    expect(result.phonesReceived).toBeGreaterThanOrEqual(result.framesSent);
    expect(result.cpuPercentOfOneCore).toBeGreaterThan(0);
  });

  it('drives G.722 legs too', async () => {
    const result = await runMixerBench({ rooms: 1, legsPerRoom: 3, speakersPerRoom: 1, seconds: 1, codec: 'G722' });
    expect(result.framesSent).toBeGreaterThan(0);
    expect(result.phonesReceived).toBeGreaterThanOrEqual(result.framesSent);
  });
});
