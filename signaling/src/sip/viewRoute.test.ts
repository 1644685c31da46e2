import { describe, expect, it } from 'vitest';
import { chooseViewRoute } from './viewRoute.ts';

const SIMULCAST = [150, 500, 1200];

describe("a terminal's main view", () => {
  it('is transcoded when it is VP8, whatever the bandwidth', () => {
    expect(chooseViewRoute({ codec: 'VP8', layerKbps: SIMULCAST }, null)).toEqual({ kind: 'transcode' });
    expect(chooseViewRoute({ codec: 'VP8', layerKbps: [300] }, 4000)).toEqual({ kind: 'transcode' });
  });

  it('is forwarded whole when the terminal gave no bandwidth', () => {
    expect(chooseViewRoute({ codec: 'H264', layerKbps: SIMULCAST }, null)).toEqual({
      kind: 'forward',
      spatialLayer: null,
    });
    expect(chooseViewRoute({ codec: 'H264', layerKbps: undefined }, null)).toEqual({
      kind: 'forward',
      spatialLayer: null,
    });
  });

  it('is forwarded at the highest simulcast layer that fits the bandwidth', () => {
    const route = (kbps: number) => chooseViewRoute({ codec: 'H264', layerKbps: SIMULCAST }, kbps);
    expect(route(4000)).toEqual({ kind: 'forward', spatialLayer: 2 });
    expect(route(1200)).toEqual({ kind: 'forward', spatialLayer: 2 });
    expect(route(1199)).toEqual({ kind: 'forward', spatialLayer: 1 });
    expect(route(768)).toEqual({ kind: 'forward', spatialLayer: 1 });
    expect(route(150)).toEqual({ kind: 'forward', spatialLayer: 0 });
  });

  it('is transcoded when no layer fits', () => {
    expect(chooseViewRoute({ codec: 'H264', layerKbps: SIMULCAST }, 128)).toEqual({ kind: 'transcode' });
  });

  it('of another terminal (one stream) is forwarded when its bit rate fits, else transcoded', () => {
    expect(chooseViewRoute({ codec: 'H264', layerKbps: [1024] }, 2048)).toEqual({
      kind: 'forward',
      spatialLayer: null,
    });
    expect(chooseViewRoute({ codec: 'H264', layerKbps: [2048] }, 1024)).toEqual({ kind: 'transcode' });
  });

  it('is transcoded when the H.264 source never said its bit rate and the terminal has a bandwidth', () => {
    expect(chooseViewRoute({ codec: 'H264', layerKbps: undefined }, 1024)).toEqual({ kind: 'transcode' });
  });
});
