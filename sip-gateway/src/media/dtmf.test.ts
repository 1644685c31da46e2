import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DtmfReceiver, dtmfFromSipInfo, eventForDigit } from './dtmf.ts';
import { buildRtp, parseRtp, type RtpPacket } from './rtp.ts';

/** The packets a phone sends for one key press (RFC 4733 §2.5): updates every 50 ms, then three end packets. */
function keyPress(digit: string, startTs: number, firstSeq: number): RtpPacket[] {
  const packets: RtpPacket[] = [];
  const durations = [400, 800, 1200, 1600, 1600, 1600];
  durations.forEach((duration, i) => {
    const end = i >= 3;
    const payload = Buffer.from([eventForDigit(digit), (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
    const raw = buildRtp({
      payloadType: 101,
      sequenceNumber: firstSeq + i,
      timestamp: startTs,
      ssrc: 7,
      marker: i === 0,
      payload,
    });
    packets.push(parseRtp(raw) as RtpPacket);
  });
  return packets;
}

describe('DtmfReceiver', () => {
  it('emits one digit per key press, however many packets carry it', () => {
    const receiver = new DtmfReceiver();
    const digits: string[] = [];
    receiver.on('digit', (d) => digits.push(d));
    const presses = [
      keyPress('1', 1000, 10),
      keyPress('1', 3000, 16),
      keyPress('#', 5000, 22),
      keyPress('*', 7000, 28),
    ];
    for (const packet of presses.flat()) receiver.push(packet);
    // A late retransmitted end packet of an earlier press changes nothing.
    receiver.push(presses[3]?.[5] as RtpPacket);
    expect(digits).toEqual(['1', '1', '#', '*']);
  });

  it('still sees a press whose start packets were lost', () => {
    const receiver = new DtmfReceiver();
    const digits: string[] = [];
    receiver.on('digit', (d) => digits.push(d));
    for (const packet of keyPress('9', 2000, 1).slice(3)) receiver.push(packet);
    expect(digits).toEqual(['9']);
  });

  it('ignores non-digit events and short payloads', () => {
    const receiver = new DtmfReceiver();
    const digits: string[] = [];
    receiver.on('digit', (d) => digits.push(d));
    const flash = buildRtp({
      payloadType: 101,
      sequenceNumber: 1,
      timestamp: 1,
      ssrc: 1,
      marker: true,
      payload: Buffer.from([16, 0x80, 0, 160]),
    });
    const short = buildRtp({
      payloadType: 101,
      sequenceNumber: 2,
      timestamp: 2,
      ssrc: 1,
      marker: true,
      payload: Buffer.from([1, 0]),
    });
    receiver.push(parseRtp(flash) as RtpPacket);
    receiver.push(parseRtp(short) as RtpPacket);
    expect(digits).toEqual([]);
  });
});

/** The RTP packets of a classic pcap (Ethernet, IPv4, UDP), as SIPp ships them. */
function rtpFromPcap(file: string): RtpPacket[] {
  const data = readFileSync(file);
  const packets: RtpPacket[] = [];
  for (let offset = 24; offset + 16 <= data.length; ) {
    const length = data.readUInt32LE(offset + 8);
    const frame = data.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    const ipHeader = ((frame[14] as number) & 0x0f) * 4;
    const packet = parseRtp(frame.subarray(14 + ipHeader + 8));
    if (packet !== null) packets.push(packet);
  }
  return packets;
}

const PCAPS = '/usr/share/sip-tester';

describe.skipIf(!existsSync(`${PCAPS}/dtmf_2833_1.pcap`))('DtmfReceiver with SIPp pcaps', () => {
  it('reads a PIN typed with the same digit twice, as SIPp replays it', async () => {
    const receiver = new DtmfReceiver();
    const digits: string[] = [];
    receiver.on('digit', (d) => digits.push(d));
    for (const name of ['1', '1', '5', 'pound']) {
      const packets = rtpFromPcap(`${PCAPS}/dtmf_2833_${name}.pcap`);
      expect(packets.length).toBeGreaterThan(3);
      for (const packet of packets) receiver.push(packet);
      // Real presses are this far apart at least; the replay of the same file is only told apart by time.
      await delay(120);
    }
    expect(digits).toEqual(['1', '1', '5', '#']);
  });
});

describe('dtmfFromSipInfo', () => {
  it('reads application/dtmf-relay and application/dtmf bodies', () => {
    expect(dtmfFromSipInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toBe('5');
    expect(dtmfFromSipInfo('Application/DTMF-Relay; charset=utf-8', 'signal= #\r\nDuration= 250')).toBe('#');
    expect(dtmfFromSipInfo('application/dtmf-relay', 'Signal=11\r\nDuration=160')).toBe('#');
    expect(dtmfFromSipInfo('application/dtmf', '*\r\n')).toBe('*');
    expect(dtmfFromSipInfo('application/dtmf', 'a')).toBe('A');
  });

  it('returns null for other content and bodies without a digit', () => {
    expect(dtmfFromSipInfo('application/sdp', 'v=0')).toBeNull();
    expect(dtmfFromSipInfo('application/dtmf-relay', 'Duration=160')).toBeNull();
    expect(dtmfFromSipInfo('application/dtmf', 'x')).toBeNull();
    expect(dtmfFromSipInfo('application/dtmf', '')).toBeNull();
  });
});
