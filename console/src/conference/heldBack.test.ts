import { describe, expect, it } from 'vitest';
import { heldBackByLink, type RemoteTrack } from './conferenceState.ts';

const video = (patch: Partial<RemoteTrack>): RemoteTrack => ({
  consumerId: 'c1',
  peerId: 'p1',
  kind: 'video',
  source: 'camera',
  track: {} as MediaStreamTrack,
  paused: false,
  spatialLayer: null,
  layersReported: false,
  stalled: false,
  decoding: false,
  ...patch,
});

describe('heldBackByLink', () => {
  it('is a resumed video the server reported without a layer', () => {
    expect(heldBackByLink(video({ layersReported: true, spatialLayer: null }))).toBe(true);
  });

  it('is never a video whose frames are decoding, whatever layer report came last', () => {
    expect(heldBackByLink(video({ layersReported: true, spatialLayer: null, decoding: true }))).toBe(false);
  });

  it('is a resumed video whose frames stopped coming', () => {
    expect(heldBackByLink(video({ layersReported: true, spatialLayer: 0, stalled: true }))).toBe(true);
    expect(heldBackByLink(video({ stalled: true, paused: true }))).toBe(false);
  });

  it('is not a video still waiting for its first report, one with a layer, a paused one or audio', () => {
    expect(heldBackByLink(video({ layersReported: false }))).toBe(false);
    expect(heldBackByLink(video({ layersReported: true, spatialLayer: 0 }))).toBe(false);
    expect(heldBackByLink(video({ layersReported: true, paused: true }))).toBe(false);
    expect(heldBackByLink(video({ layersReported: true, kind: 'audio' }))).toBe(false);
    expect(heldBackByLink(null)).toBe(false);
  });
});
