/** Cutting a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3). */
import { describe, expect, it } from 'vitest';
import { SipStreamFramer } from './sipStream.ts';

const keepalive = (sn: number) => {
  const body = Buffer.from(
    `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>Keepalive</CmdType><SN>${sn}</SN></Notify>\r\n`,
  );
  const head =
    'MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bK' +
    `${sn}\r\nFrom: <sip:34020000001320000001@3402000000>;tag=a\r\nTo: <sip:34020000002000000001@3402000000>\r\n` +
    `Call-ID: ${sn}@x\r\nCSeq: ${sn} MESSAGE\r\nContent-Type: Application/MANSCDP+xml\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
};
const ok = Buffer.from('SIP/2.0 200 OK\r\nCSeq: 7 MESSAGE\r\nl: 0\r\n\r\n');
const sns = (messages: { body: Buffer }[]) => messages.map((m) => /<SN>(\d+)</.exec(m.body.toString())?.[1]);

describe('SipStreamFramer', () => {
  it('takes several messages from one segment, blank lines (pings) between them skipped', () => {
    const framer = new SipStreamFramer();
    const messages = framer.push(Buffer.concat([keepalive(1), Buffer.from('\r\n\r\n'), ok, keepalive(2)]));
    expect(messages.map((m) => m.type)).toEqual(['request', 'response', 'request']);
    expect(sns(messages)).toEqual(['1', undefined, '2']);
    expect(framer.pending).toBe(0);
  });

  it('joins one message split over segments, byte by byte at worst, body intact', () => {
    const bytes = Buffer.concat([keepalive(3), keepalive(4)]);
    const framer = new SipStreamFramer();
    const messages = [];
    for (let at = 0; at < bytes.length; at++) messages.push(...framer.push(bytes.subarray(at, at + 1)));
    expect(sns(messages)).toEqual(['3', '4']);
    expect(messages[0]?.body).toEqual(keepalive(3).subarray(keepalive(3).indexOf('\r\n\r\n') + 4));
    // A head that ends inside the split and a body that is not there yet: nothing until the rest comes.
    const first = keepalive(5);
    expect(framer.push(first.subarray(0, first.length - 3))).toEqual([]);
    expect(sns(framer.push(first.subarray(first.length - 3)))).toEqual(['5']);
  });

  it('refuses a message without Content-Length, an oversized one and garbage with sip_framing', () => {
    const noLength = Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\n<Notify/>');
    expect(() => new SipStreamFramer().push(noLength)).toThrow(expect.objectContaining({ code: 'sip_framing' }));
    const huge = Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 9999999\r\n\r\n');
    expect(() => new SipStreamFramer().push(huge)).toThrow(expect.objectContaining({ code: 'sip_framing' }));
    const negative = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: -4\r\n\r\n');
    expect(() => new SipStreamFramer().push(negative)).toThrow(expect.objectContaining({ code: 'sip_framing' }));
    // Not SIP: refused at its first line, before any of it is buffered.
    expect(() => new SipStreamFramer().push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n'))).toThrow(
      expect.objectContaining({ code: 'sip_framing', message: expect.stringContaining('GET / HTTP/1.1') }),
    );
    expect(() => new SipStreamFramer().push(Buffer.alloc(2000, 0x41))).toThrow(
      expect.objectContaining({ code: 'sip_framing' }),
    );
    // Headers that never end stop at the size limit instead of growing the buffer for ever.
    const framer = new SipStreamFramer();
    framer.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\n'));
    expect(() => {
      for (let i = 0; i < 2000; i++) framer.push(Buffer.from(`X-Pad-${i}: ${'y'.repeat(40)}\r\n`));
    }).toThrow(expect.objectContaining({ code: 'sip_framing' }));
  });

  it('refuses garbage that follows a good message but still returns nothing half-read', () => {
    const framer = new SipStreamFramer();
    expect(sns(framer.push(keepalive(6)))).toEqual(['6']);
    expect(() => framer.push(Buffer.from('\x16\x03\x01\x02\x00\x01\x00\r\n'))).toThrow(
      expect.objectContaining({ code: 'sip_framing' }),
    );
  });
});
