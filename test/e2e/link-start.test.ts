/**
 * A receive transport for a link limited last time starts at that budget
 * (media-server LinkMemory): mediasoup's bandwidth estimate exists only on a
 * connected transport with a consumer, so a real Chromium connects to it
 * (ICE and DTLS for one receive-only video the test never sends: the
 * estimate is the server's, nothing needs to be decoded).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebRtcTransportInfo } from '../../media-server/src/MediaControlTypes.ts';
import { MediaServer } from '../../media-server/src/MediaServer.ts';
import { FFMPEG_VP8_RTP_PARAMETERS, loopbackOptions } from '../../media-server/src/testing.ts';
import { launchChromium } from '../src/browser.ts';
import { waitFor } from '../src/waitFor.ts';

const ROOM = 'r';

/**
 * The server's answer to the browser's offer of one receive-only video: ice-lite, the transport's candidates,
 * DTLS as server (a media section, or the browser would not offer the SRTP profile mediasoup requires).
 */
function answerSdp(info: WebRtcTransportInfo, vp8PayloadType: string): string {
  const fingerprint = info.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
  const candidates = info.iceCandidates.map(
    (c) =>
      `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host` +
      (c.tcpType ? ` tcptype ${c.tcpType}` : ''),
  );
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=ice-lite',
    `m=video 9 UDP/TLS/RTP/SAVPF ${vp8PayloadType}`,
    'c=IN IP4 127.0.0.1',
    'a=mid:0',
    `a=ice-ufrag:${info.iceParameters.usernameFragment}`,
    `a=ice-pwd:${info.iceParameters.password}`,
    `a=fingerprint:sha-256 ${fingerprint?.value}`,
    'a=setup:passive',
    'a=sendonly',
    'a=rtcp-mux',
    `a=rtpmap:${vp8PayloadType} VP8/90000`,
    ...candidates,
    'a=end-of-candidates',
    '',
  ].join('\r\n');
}

describe('a receive link remembered from last time', () => {
  let server: MediaServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await MediaServer.create(await loopbackOptions());
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A connected receive transport with one video consumer; its first transport stats. */
  async function firstStats(peerId: string, linkKey?: string) {
    const { rtpCapabilities } = await server.ensureRoom(ROOM);
    const video = await server.createPlainProducer(ROOM, `${peerId}-camera`, {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
    });
    const info = await server.createWebRtcTransport(ROOM, peerId, 'recv', linkKey ? { linkKey } : {});
    const page = await browser.newPage();
    // The page's RTCPeerConnection, as far as this test uses it (the test's TypeScript has no DOM types).
    type PeerConnection = {
      addTransceiver(kind: string, init: { direction: string }): unknown;
      createOffer(): Promise<{ type: string; sdp: string }>;
      setLocalDescription(description: { type: string; sdp: string }): Promise<void>;
      setRemoteDescription(description: { type: string; sdp: string }): Promise<void>;
    };
    type PageGlobals = { RTCPeerConnection: new () => PeerConnection; pc?: PeerConnection };
    const offer = await page.evaluate(async () => {
      const page = globalThis as unknown as PageGlobals;
      const pc = new page.RTCPeerConnection();
      page.pc = pc;
      pc.addTransceiver('video', { direction: 'recvonly' });
      const description = await pc.createOffer();
      await pc.setLocalDescription(description);
      return description.sdp;
    });
    const value = /a=fingerprint:sha-256 (\S+)/.exec(offer)?.[1] ?? '';
    const vp8PayloadType = /a=rtpmap:(\d+) VP8\/90000/.exec(offer)?.[1] ?? '96';
    // The remote's parameters: the browser answers our passive side as the DTLS client.
    await server.connectTransport(ROOM, peerId, info.id, {
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value }],
    });
    await page.evaluate(
      async (sdp) => {
        await (globalThis as unknown as PageGlobals).pc?.setRemoteDescription({ type: 'answer', sdp });
      },
      answerSdp(info, vp8PayloadType),
    );
    await waitFor(
      `${peerId}'s transport connected`,
      async () => (await server.getTransportStats(ROOM, peerId, info.id))[0]?.dtlsState,
      (state) => state === 'connected',
      { timeoutMs: 30_000 },
    );
    await server.consume(ROOM, peerId, { transportId: info.id, producerId: video.producerId, rtpCapabilities });
    const [stats] = await server.getTransportStats(ROOM, peerId, info.id);
    await page.close();
    return stats;
  }

  it('starts at its last budget (250 kbit/s); a link without a key at 1 Mbit/s', async () => {
    server.linkMemory.record('township-user', 250_000);
    const township = await firstStats('township', 'township-user');
    expect(township?.availableOutgoingBitrate).toBeGreaterThan(225_000);
    expect(township?.availableOutgoingBitrate).toBeLessThan(275_000);

    const unknown = await firstStats('desk');
    expect(unknown?.availableOutgoingBitrate).toBeGreaterThan(900_000);
    expect(unknown?.availableOutgoingBitrate).toBeLessThan(1_100_000);
  });
});
