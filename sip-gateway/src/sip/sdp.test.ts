import { describe, expect, it } from 'vitest';
import { parseDtmfInfo } from './dtmfInfo.ts';
import { answerDirection, buildAudioSdp, chooseAudioCodec, parseAudioSdp, SdpError } from './sdp.ts';

const PHONE_OFFER = [
  'v=0',
  'o=- 123 456 IN IP4 192.168.1.20',
  's=-',
  'c=IN IP4 192.168.1.20',
  't=0 0',
  'm=audio 40000 RTP/AVP 9 8 0 101',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

function sdpCode(sdp: string): string {
  try {
    parseAudioSdp(sdp);
  } catch (error) {
    expect(error).toBeInstanceOf(SdpError);
    return (error as SdpError).code;
  }
  return 'parsed';
}

describe('parseAudioSdp', () => {
  it('reads a desk phone offer', () => {
    const offer = parseAudioSdp(PHONE_OFFER);
    expect(offer).toEqual({
      ip: '192.168.1.20',
      port: 40000,
      codecs: [
        { payloadType: 9, name: 'G722', clockRate: 8000 },
        { payloadType: 8, name: 'PCMA', clockRate: 8000 },
        { payloadType: 0, name: 'PCMU', clockRate: 8000 },
      ],
      telephoneEventPt: 101,
      direction: 'sendrecv',
    });
    // G.722 listed first: the phone prefers wideband, and gets it.
    expect(chooseAudioCodec(offer)).toEqual({ codec: 'G722', payloadType: 9 });
  });

  it('answers by the phone’s order: G.722 only when listed before G.711, then PCMU over PCMA', () => {
    const offer = (pts: string) => parseAudioSdp(PHONE_OFFER.replace('RTP/AVP 9 8 0 101', `RTP/AVP ${pts}`));
    expect(chooseAudioCodec(offer('9 101'))).toEqual({ codec: 'G722', payloadType: 9 });
    expect(chooseAudioCodec(offer('8 9 0 101'))).toEqual({ codec: 'PCMU', payloadType: 0 });
    expect(chooseAudioCodec(offer('8 9 101'))).toEqual({ codec: 'PCMA', payloadType: 8 });
    // A dynamic payload type named G722/8000 is G.722; G722/16000 contradicts RFC 3551 and is not used.
    const dynamic = PHONE_OFFER.replace('RTP/AVP 9 8 0 101', 'RTP/AVP 109 101').replace(
      'a=rtpmap:101',
      'a=rtpmap:109 G722/8000\r\na=rtpmap:101',
    );
    expect(chooseAudioCodec(parseAudioSdp(dynamic))).toEqual({ codec: 'G722', payloadType: 109 });
    expect(() => chooseAudioCodec(parseAudioSdp(dynamic.replace('109 G722/8000', '109 G722/16000')))).toThrow(SdpError);
  });

  it('knows static payload types without rtpmap and media-level c= over session-level', () => {
    const offer = parseAudioSdp(
      'v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 5004 RTP/AVP 8\nc=IN IP4 10.0.0.2\n',
    );
    expect(offer.ip).toBe('10.0.0.2');
    expect(chooseAudioCodec(offer)).toEqual({ codec: 'PCMA', payloadType: 8 });
    expect(offer.telephoneEventPt).toBeNull();
  });

  it('treats a=sendonly, a=inactive and c=0.0.0.0 as hold', () => {
    expect(parseAudioSdp(PHONE_OFFER.replace('a=sendrecv', 'a=sendonly')).direction).toBe('sendonly');
    expect(parseAudioSdp(PHONE_OFFER.replace('a=sendrecv', 'a=inactive')).direction).toBe('inactive');
    expect(parseAudioSdp(PHONE_OFFER.replaceAll('IN IP4 192.168.1.20', 'IN IP4 0.0.0.0')).direction).toBe('sendonly');
    const sessionLevel = PHONE_OFFER.replace('a=sendrecv\r\n', '').replace('t=0 0', 't=0 0\r\na=recvonly');
    expect(parseAudioSdp(sessionLevel).direction).toBe('recvonly');
  });

  it('throws SdpError with a code, and nothing else, on garbage', () => {
    expect(sdpCode('')).toBe('sdp_invalid');
    expect(sdpCode('hello world')).toBe('sdp_invalid');
    expect(sdpCode('v=0\r\nthis is not = an SDP line\r\n')).toBe('sdp_invalid');
    expect(sdpCode('v=0\r\nc=IN IP9 nowhere\r\nm=audio 1 RTP/AVP 0\r\n')).toBe('sdp_invalid');
    expect(sdpCode('v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 1 RTP/AVP 96\r\n')).toBe('sdp_no_audio');
    expect(sdpCode('v=0\r\nm=audio 1 RTP/AVP 0\r\n')).toBe('sdp_invalid');
    expect(sdpCode('v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 99999 RTP/AVP 0\r\n')).toBe('sdp_invalid');
    expect(sdpCode('x'.repeat(20_000))).toBe('sdp_invalid');
    for (let i = 0; i < 200; i += 1) {
      const junk = PHONE_OFFER.slice(0, Math.floor(Math.random() * PHONE_OFFER.length));
      const code = sdpCode(junk);
      expect(['parsed', 'sdp_invalid', 'sdp_no_audio']).toContain(code);
    }
  });

  it('rejects an offer with none of G.722, PCMU, PCMA at codec choice', () => {
    const offer = parseAudioSdp(PHONE_OFFER.replace('m=audio 40000 RTP/AVP 9 8 0 101', 'm=audio 40000 RTP/AVP 18 101'));
    expect(() => chooseAudioCodec(offer)).toThrow(SdpError);
    try {
      chooseAudioCodec(offer);
    } catch (error) {
      expect((error as SdpError).code).toBe('sdp_no_codec');
    }
  });
});

describe('buildAudioSdp', () => {
  it('round-trips through the parser', () => {
    const sdp = buildAudioSdp({
      ip: '127.0.0.1',
      port: 42000,
      payloadTypes: [0, 8],
      telephoneEventPt: 101,
      direction: 'recvonly',
      sessionId: '77',
      sessionVersion: 3,
    });
    expect(sdp).toContain('m=audio 42000 RTP/AVP 0 8 101\r\n');
    expect(sdp).toContain('a=ptime:20\r\n');
    expect(sdp).toContain('o=beacon 77 3 IN IP4 127.0.0.1\r\n');
    const parsed = parseAudioSdp(sdp);
    expect(parsed).toMatchObject({ ip: '127.0.0.1', port: 42000, telephoneEventPt: 101, direction: 'recvonly' });
    expect(parsed.codecs.map((c) => c.name)).toEqual(['PCMU', 'PCMA']);
  });

  it('names G.722 at 8000 (RFC 3551) and a dynamic payload type by the name it is given', () => {
    const sdp = buildAudioSdp({
      ip: '127.0.0.1',
      port: 42000,
      payloadTypes: [9, 0, 8],
      telephoneEventPt: 101,
      direction: 'sendrecv',
      sessionId: '1',
      sessionVersion: 1,
    });
    expect(sdp).toContain('m=audio 42000 RTP/AVP 9 0 8 101\r\n');
    expect(sdp).toContain('a=rtpmap:9 G722/8000\r\n');
    const answer = buildAudioSdp({
      ip: '127.0.0.1',
      port: 42000,
      payloadTypes: [109],
      codecNames: { 109: 'G722' },
      telephoneEventPt: null,
      direction: 'sendrecv',
      sessionId: '1',
      sessionVersion: 1,
    });
    expect(answer).toContain('a=rtpmap:109 G722/8000\r\n');
  });
});

describe('answerDirection', () => {
  it('mirrors the offer (RFC 3264 §6.1)', () => {
    expect(answerDirection('sendonly')).toBe('recvonly');
    expect(answerDirection('recvonly')).toBe('sendonly');
    expect(answerDirection('inactive')).toBe('inactive');
    expect(answerDirection('sendrecv')).toBe('sendrecv');
  });
});

describe('parseDtmfInfo', () => {
  it('reads dtmf-relay and dtmf bodies', () => {
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toBe('5');
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal= #\r\nDuration=160')).toBe('#');
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=11\r\n')).toBe('#');
    expect(parseDtmfInfo('application/dtmf', '9')).toBe('9');
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=X')).toBeNull();
    expect(parseDtmfInfo('text/plain', 'Signal=5')).toBeNull();
    expect(parseDtmfInfo(undefined, '')).toBeNull();
  });
});
