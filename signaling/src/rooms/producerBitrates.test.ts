import { describe, expect, it } from 'vitest';
import { declaredLayerKbps } from './producerBitrates.ts';

describe('declaredLayerKbps', () => {
  it("reads a browser's simulcast maxBitrate per layer, lowest first, in kbit/s", () => {
    const rtpParameters = {
      codecs: [],
      encodings: [
        { rid: 'r0', maxBitrate: 150_000, scaleResolutionDownBy: 4 },
        { rid: 'r1', maxBitrate: 500_000, scaleResolutionDownBy: 2 },
        { rid: 'r2', maxBitrate: 1_200_000, scaleResolutionDownBy: 1 },
      ],
    };
    expect(declaredLayerKbps(rtpParameters)).toEqual([150, 500, 1200]);
  });

  it('is unknown when any layer does not say, or the parameters are not what a sender sends', () => {
    expect(declaredLayerKbps({ encodings: [{ maxBitrate: 150_000 }, { rid: 'r1' }] })).toBeUndefined();
    expect(declaredLayerKbps({ encodings: [{ ssrc: 1 }] })).toBeUndefined();
    expect(declaredLayerKbps({ encodings: [] })).toBeUndefined();
    expect(declaredLayerKbps({ encodings: [{ maxBitrate: -5 }] })).toBeUndefined();
    expect(declaredLayerKbps('garbage')).toBeUndefined();
  });
});
