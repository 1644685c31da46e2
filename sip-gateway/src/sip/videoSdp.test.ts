import { describe, expect, it } from 'vitest';
import { parseAudioSdp, SdpError } from './sdp.ts';
import {
  buildVideoOffer,
  buildVideoSection,
  chooseAnsweredH264,
  chooseH264,
  parseVideoSdp,
  routerProfileOf,
  withVideoSection,
} from './videoSdp.ts';

/** What a hardware terminal offers: G.722 and G.711, then H.264 high, baseline and constrained baseline. */
const TERMINAL_OFFER = [
  'v=0',
  'o=- 1 1 IN IP4 10.0.0.7',
  's=-',
  'c=IN IP4 10.0.0.7',
  't=0 0',
  'm=audio 50000 RTP/AVP 9 8 0 101',
  'a=rtpmap:101 telephone-event/8000',
  'm=video 50002 RTP/AVP 97 98 99 100',
  'b=TIAS:1536000',
  'b=AS:2000',
  'a=rtpmap:97 H264/90000',
  'a=fmtp:97 profile-level-id=640028;packetization-mode=1',
  'a=rtpmap:98 H264/90000',
  'a=fmtp:98 profile-level-id=42801f;packetization-mode=1',
  'a=rtpmap:99 H264/90000',
  'a=fmtp:99 profile-level-id=42e01f;packetization-mode=1',
  'a=rtpmap:100 H264/90000',
  'a=fmtp:100 profile-level-id=42e01f;packetization-mode=0',
  'a=rtcp:50010',
  'a=sendrecv',
  '',
].join('\r\n');

describe('parseVideoSdp', () => {
  it("reads a terminal's H.264 formats, its RTCP port and its bandwidth (TIAS before AS)", () => {
    const video = parseVideoSdp(TERMINAL_OFFER);
    expect(video).toMatchObject({ ip: '10.0.0.7', port: 50002, rtcpPort: 50010, rtcpMux: false, bandwidthKbps: 1536 });
    expect(video?.h264.map((f) => `${f.payloadType}:${f.profileLevelId}/${f.packetizationMode}`)).toEqual([
      '97:640028/1',
      '98:42801f/1',
      '99:42e01f/1',
      '100:42e01f/0',
    ]);
    expect(video?.index).toBe(1);
    expect(video?.audioIndex).toBe(0);
  });

  it('is null for an audio-only offer, and takes RTCP at port + 1 unless told', () => {
    expect(parseVideoSdp(TERMINAL_OFFER.replace(/m=video[\s\S]*$/, ''))).toBeNull();
    expect(parseVideoSdp(TERMINAL_OFFER.replace('a=rtcp:50010\r\n', ''))?.rtcpPort).toBe(50003);
  });

  it('refuses a video line with a bad payload type or port as sdp_invalid', () => {
    for (const bad of ['m=video 50002 RTP/AVP 97 300', 'm=video 70000 RTP/AVP 97']) {
      const sdp = TERMINAL_OFFER.replace('m=video 50002 RTP/AVP 97 98 99 100', bad);
      expect(() => parseVideoSdp(sdp)).toThrow(SdpError);
    }
  });
});

describe('chooseH264', () => {
  it('takes mode 1 only, constrained baseline before baseline before high', () => {
    const video = parseVideoSdp(TERMINAL_OFFER);
    if (!video) throw new Error('no video');
    expect(chooseH264(video)?.payloadType).toBe(99);
    const noCb = { ...video, h264: video.h264.filter((f) => f.payloadType !== 99) };
    expect(chooseH264(noCb)?.payloadType).toBe(98);
    expect(routerProfileOf({ payloadType: 98, profileLevelId: '42801f', packetizationMode: 1 })).toBe('42001f');
    const highOnly = { ...video, h264: video.h264.filter((f) => f.payloadType === 97) };
    expect(chooseH264(highOnly)?.profileLevelId).toBe('640028');
  });

  it('is null without a mode-1 H.264 (VP8 only, or mode 0 only): the answer goes audio only', () => {
    const vp8 = TERMINAL_OFFER.replace(/a=rtpmap:(\d+) H264/g, 'a=rtpmap:$1 VP8');
    expect(chooseH264(parseVideoSdp(vp8) ?? fail())).toBeNull();
    const mode0 = TERMINAL_OFFER.replace(/packetization-mode=1/g, 'packetization-mode=0');
    expect(chooseH264(parseVideoSdp(mode0) ?? fail())).toBeNull();
  });
});

describe('the video answer', () => {
  it('accepts one format with our bandwidth, or rejects the stream with port 0', () => {
    const format = { payloadType: 99, profileLevelId: '42e01f', packetizationMode: 1 };
    const accepted = buildVideoSection({
      port: 42002,
      format,
      offeredPayloadTypes: [97, 98, 99],
      rtcpMux: false,
      bandwidthKbps: 2048,
      direction: 'sendrecv',
    });
    expect(accepted).toContain('m=video 42002 RTP/AVP 99');
    expect(accepted).toContain('b=TIAS:2048000');
    expect(accepted).toContain('a=fmtp:99 profile-level-id=42e01f;packetization-mode=1');
    const rejected = buildVideoSection({ ...{ port: 0, format: null, offeredPayloadTypes: [97, 98] }, ...rest() });
    expect(rejected).toEqual(['m=video 0 RTP/AVP 97 98']);
  });

  it('keeps the offer order of m-lines and stays readable as audio SDP', () => {
    const audio = 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
    const first = withVideoSection(audio, ['m=video 0 RTP/AVP 96'], true);
    expect(first.indexOf('m=video')).toBeLessThan(first.indexOf('m=audio'));
    expect(parseAudioSdp(first).port).toBe(4000);
    const last = withVideoSection(audio, ['m=video 0 RTP/AVP 96'], false);
    expect(last.indexOf('m=video')).toBeGreaterThan(last.indexOf('m=audio'));
  });
});

function rest() {
  return { rtcpMux: false, bandwidthKbps: 2048, direction: 'sendrecv' as const };
}

function fail(): never {
  throw new Error('expected a video offer');
}

describe('the video offer to a terminal we call', () => {
  it('offers H.264 mode 1 in the profiles Chromium decodes, at our bandwidth', () => {
    const lines = buildVideoOffer({ port: 40002, bandwidthKbps: 1024 });
    expect(lines.slice(0, 3)).toEqual(['m=video 40002 RTP/AVP 96 97 98', 'b=AS:1024', 'b=TIAS:1024000']);
    expect(lines.filter((l) => l.startsWith('a=fmtp:'))).toEqual([
      'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
      'a=fmtp:97 profile-level-id=42001f;packetization-mode=1',
      'a=fmtp:98 profile-level-id=4d001f;packetization-mode=1',
    ]);
    expect(lines.at(-1)).toBe('a=sendrecv');
    // What we offer is an SDP the parser (and so a terminal) reads back as three usable formats.
    const body = withVideoSection(
      ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', ''].join(
        '\r\n',
      ),
      lines,
      false,
    );
    expect(parseVideoSdp(body)?.h264.map((f) => f.packetizationMode)).toEqual([1, 1, 1]);
  });

  it('takes from the answer only a payload type we offered, preferring constrained baseline; none on port 0', () => {
    const answer = (video: string[]) =>
      parseVideoSdp(
        [
          'v=0',
          'o=- 1 1 IN IP4 10.0.0.7',
          's=-',
          'c=IN IP4 10.0.0.7',
          't=0 0',
          'm=audio 5 RTP/AVP 0',
          ...video,
          '',
        ].join('\r\n'),
      );
    const both = answer([
      'm=video 50002 RTP/AVP 98 96',
      'a=rtpmap:98 H264/90000',
      'a=fmtp:98 profile-level-id=4d0028;packetization-mode=1',
      'a=rtpmap:96 H264/90000',
      'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
    ]);
    expect(chooseAnsweredH264(both)).toEqual({ payloadType: 96, profileLevelId: '42e01f', packetizationMode: 1 });
    const foreign = answer(['m=video 50002 RTP/AVP 110', 'a=rtpmap:110 H264/90000']);
    expect(chooseAnsweredH264(foreign)).toBeNull();
    expect(chooseAnsweredH264(answer(['m=video 0 RTP/AVP 96']))).toBeNull();
    expect(chooseAnsweredH264(null)).toBeNull();
  });
});
