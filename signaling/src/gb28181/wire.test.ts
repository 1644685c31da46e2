/** The SIP text, digest and PTZCmd bytes as the standard writes them. */
import { describe, expect, it } from 'vitest';
import { DigestAuth, digestHa1, digestResponse, parseAuthorization } from './digest.ts';
import { liveViewSsrc, readLiveViewAnswer } from './liveSdp.ts';
import { ptzCmdText } from './ptzCmd.ts';
import { addressUri, headerParam, parseSipMessage, uriUser } from './sipMessage.ts';

describe('SIP messages', () => {
  it('parses a REGISTER with a domain-code host (which RFC 3261 grammars refuse)', () => {
    const text =
      'REGISTER sip:34020000002000000001@3402000000 SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK1\r\n' +
      'From: <sip:34020000001320000001@3402000000>;tag=a1\r\nTo: <sip:34020000001320000001@3402000000>\r\n' +
      'Call-ID: 1@x\r\nCSeq: 1 REGISTER\r\nl: 4\r\n\r\nbodyEXTRA';
    const parsed = parseSipMessage(Buffer.from(text, 'latin1'));
    if (parsed?.message.type !== 'request') throw new Error('not a request');
    const { message } = parsed;
    expect(message.method).toBe('REGISTER');
    expect(uriUser(addressUri(message.headers.require('from')))).toBe('34020000001320000001');
    expect(headerParam(message.headers.require('from'), 'tag')).toBe('a1');
    expect(headerParam(message.headers.require('via'), 'branch')).toBe('z9hG4bK1');
    expect(message.body.toString()).toBe('body');
    expect(() => parseSipMessage(Buffer.from('HELLO\r\n\r\n'))).toThrow(
      expect.objectContaining({ code: 'sip_malformed' }),
    );
    expect(() => parseSipMessage(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n'))).toThrow(
      expect.objectContaining({ code: 'sip_malformed' }),
    );
  });
});

describe('digest', () => {
  it('accepts the device answer to its own nonce, refuses a wrong password, and calls an old nonce stale', () => {
    const auth = new DigestAuth('3402000000');
    const nonce = auth.newNonce();
    const ha1 = digestHa1('34020000001320000001', '3402000000', 'secret-pw');
    const answer = (password: string, n = nonce) =>
      parseAuthorization(
        `Digest username="34020000001320000001", realm="3402000000", nonce="${n}", uri="sip:x", response="${digestResponse({ username: '34020000001320000001', realm: '3402000000', password, method: 'REGISTER', uri: 'sip:x', nonce: n })}", algorithm=MD5`,
      );
    expect(auth.verify(answer('secret-pw') as never, 'REGISTER', ha1)).toBe('ok');
    expect(auth.verify(answer('other') as never, 'REGISTER', ha1)).toBe('wrong');
    const old = auth.newNonce(Date.now() - 10 * 60_000);
    expect(auth.verify(answer('secret-pw', old) as never, 'REGISTER', ha1)).toBe('stale');
    expect(parseAuthorization('Basic abc')).toBeNull();
  });
});

describe('PTZCmd', () => {
  it('writes the eight bytes of A.3 with the checksum', () => {
    expect(ptzCmdText({ action: 'move', pan: 1, tilt: 0, zoom: 0, speed: 128 })).toBe('A50F010180000036');
    expect(ptzCmdText({ action: 'move', pan: -1, tilt: 1, zoom: 0, speed: 64 })).toBe('A50F010A4040003F');
    expect(ptzCmdText({ action: 'move', pan: 0, tilt: 0, zoom: 1, speed: 255 })).toBe('A50F01100000F0B5');
    expect(ptzCmdText({ action: 'presetCall', preset: 3 })).toBe('A50F01820003003A');
    expect(ptzCmdText({ action: 'stop' })).toBe('A50F0100000000B5');
  });
});

describe('live view SDP', () => {
  it('makes a 10-digit live y= and refuses an answer without PS', () => {
    expect(liveViewSsrc('3402000000', 12)).toBe('0200000012');
    const ok = readLiveViewAnswer(
      Buffer.from('v=0\r\nc=IN IP4 10.0.0.9\r\nm=video 15060 RTP/AVP 96\r\na=rtpmap:96 PS/90000\r\ny=0200000012\r\n'),
    );
    expect(ok).toEqual({ ip: '10.0.0.9', port: 15060, ssrc: 200000012 });
    expect(() =>
      readLiveViewAnswer(Buffer.from('v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 1 RTP/AVP 98\r\na=rtpmap:98 H264/90000\r\n')),
    ).toThrow(expect.objectContaining({ code: 'sdp_unusable' }));
    expect(() => readLiveViewAnswer(Buffer.from('garbage'))).toThrow(expect.objectContaining({ code: 'sdp_unusable' }));
  });
});
