import { describe, expect, it } from 'vitest';
import { RtpSessionDescriptionHandler } from './RtpSessionDescriptionHandler.ts';
import { SdpError } from './sdp.ts';
import type { MediaNegotiation } from './sipTypes.ts';

const AUDIO = ['m=audio 10000 RTP/AVP 0 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv'];
const head = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
const sdp = (...lines: string[]) => `${[...head, ...lines, ''].join('\r\n')}`;

/** Sets a terminal's offer on a handler with a video socket and returns the answer and the negotiation. */
async function answer(offer: string) {
  let negotiated: MediaNegotiation | null = null;
  const handler = new RtpSessionDescriptionHandler({
    endpoint: { localIp: '127.0.0.1', localPort: 4000 },
    video: { localIp: '127.0.0.1', localPort: 4002, receiveKbps: 2048 },
    onNegotiated: (n) => {
      negotiated = n;
    },
  });
  await handler.setDescription(offer);
  const { body } = await handler.getDescription();
  return { body, negotiated: negotiated as MediaNegotiation | null };
}

describe("a video terminal's offer", () => {
  it('is answered with audio and H.264 mode 1 at our bandwidth', async () => {
    const offer = sdp(
      ...AUDIO,
      'm=video 10002 RTP/AVP 96 97',
      'b=AS:768',
      'a=rtpmap:96 H264/90000',
      'a=fmtp:96 packetization-mode=0;profile-level-id=42e01f',
      'a=rtpmap:97 H264/90000',
      'a=fmtp:97 packetization-mode=1;profile-level-id=42e01f',
    );
    const { body, negotiated } = await answer(offer);
    expect(body).toContain('m=audio 4000 RTP/AVP 0 101');
    expect(body).toContain('m=video 4002 RTP/AVP 97');
    expect(body).toContain('b=AS:2048');
    expect(negotiated?.video).toMatchObject({ payloadType: 97, profileLevelId: '42e01f', bandwidthKbps: 768 });
  });

  it('without a codec in common is answered audio only (video port 0), not refused', async () => {
    const offer = sdp(...AUDIO, 'm=video 10002 RTP/AVP 100', 'a=rtpmap:100 VP8/90000');
    const { body, negotiated } = await answer(offer);
    expect(body).toContain('m=audio 4000 RTP/AVP 0 101');
    expect(body).toContain('m=video 0 RTP/AVP 100');
    expect(negotiated?.codec).toBe('PCMU');
    expect(negotiated?.video).toBeUndefined();
  });

  it('with a malformed video line is refused (SdpError: sip.js answers 488)', async () => {
    const handler = new RtpSessionDescriptionHandler({ endpoint: null, onNegotiated: () => {} });
    await expect(handler.setDescription(sdp(...AUDIO, 'm=video 99999 RTP/AVP 96'))).rejects.toBeInstanceOf(SdpError);
  });
});

/** A handler making our offer (a dial-out), with or without a terminal's video socket. */
async function offer(withVideo: boolean) {
  const negotiated: MediaNegotiation[] = [];
  const handler = new RtpSessionDescriptionHandler({
    endpoint: { localIp: '127.0.0.1', localPort: 4000 },
    video: withVideo ? { localIp: '127.0.0.1', localPort: 4002, receiveKbps: 1536 } : null,
    onNegotiated: (n) => negotiated.push(n),
  });
  const { body } = await handler.getDescription();
  return { handler, body, negotiated };
}

describe('our offer when the console calls', () => {
  it('a desk phone: audio only', async () => {
    const { body } = await offer(false);
    expect(body).toContain('m=audio 4000 RTP/AVP 9 0 8 101');
    expect(body).not.toContain('m=video');
  });

  it('a video terminal: H.264 mode 1 after the audio, and the format its answer took', async () => {
    const { handler, body, negotiated } = await offer(true);
    const lines = body.trimEnd().split('\r\n');
    expect(lines.indexOf('m=video 4002 RTP/AVP 96 97 98')).toBeGreaterThan(
      lines.indexOf('m=audio 4000 RTP/AVP 9 0 8 101'),
    );
    expect(lines).toContain('b=AS:1536');
    expect(lines).toContain('a=fmtp:96 profile-level-id=42e01f;packetization-mode=1');
    expect(lines).toContain('a=rtcp-fb:97 nack pli');
    await handler.setDescription(
      sdp(
        'm=audio 10000 RTP/AVP 0 101',
        'a=rtpmap:101 telephone-event/8000',
        'm=video 10002 RTP/AVP 98',
        'b=TIAS:512000',
        'a=rtpmap:98 H264/90000',
        'a=fmtp:98 profile-level-id=4d0028;packetization-mode=1',
        'a=rtcp:10005',
      ),
    );
    expect(negotiated[0]?.codec).toBe('PCMU');
    expect(negotiated[0]?.video).toEqual({
      remote: { ip: '127.0.0.1', port: 10002, rtcpPort: 10005 },
      rtcpMux: false,
      payloadType: 98,
      sendPayloadTypes: [96, 97, 98],
      profileLevelId: '4d0028',
      bandwidthKbps: 512,
      remoteDirection: 'sendrecv',
    });
  });

  it('a video terminal that answers without video, or with a format we did not offer: audio only', async () => {
    for (const video of [
      ['m=video 0 RTP/AVP 96'],
      ['m=video 10002 RTP/AVP 100', 'a=rtpmap:100 H264/90000', 'a=fmtp:100 packetization-mode=1'],
      [],
    ]) {
      const { handler, negotiated } = await offer(true);
      await handler.setDescription(sdp('m=audio 10000 RTP/AVP 8', ...video));
      expect(negotiated[0]?.codec).toBe('PCMA');
      expect(negotiated[0]?.video).toBeUndefined();
    }
  });
});
