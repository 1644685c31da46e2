import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { frameRms } from './audioFrame.ts';
import { eventForDigit } from './dtmf.ts';
import { alawEncode, alawToUlaw, ulawDecode, ulawEncode } from './g711.ts';
import { G722Decoder, G722Encoder } from './g722.ts';
import { PhoneMedia, type PhoneMediaFormat } from './PhoneMedia.ts';
import { buildRtp, parseRtp, RtpSender } from './rtp.ts';
import { concatFrames, goertzel, SineSource } from './toneTesting.ts';
import { UdpPeer, waitUntil } from './udpTesting.ts';

const RANGE = { min: 20_000, max: 29_998 };
const opened: { close(): void }[] = [];

async function setup(format: Partial<PhoneMediaFormat> = {}, rtpTimeoutMs?: number, onForeignPacket?: () => void) {
  const media = await PhoneMedia.open({ localIp: '127.0.0.1', portRange: RANGE, rtpTimeoutMs, onForeignPacket });
  const phone = await UdpPeer.open();
  opened.push(media, phone);
  media.setFormat({
    codec: 'PCMU',
    payloadType: 0,
    telephoneEventPt: 101,
    remote: { ip: '127.0.0.1', port: phone.port },
    ...format,
  });
  return { media, phone };
}

afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

describe('PhoneMedia', () => {
  it('binds an even port in its range', async () => {
    const { media } = await setup();
    expect(media.localPort % 2).toBe(0);
    expect(media.localPort).toBeGreaterThanOrEqual(RANGE.min);
    expect(media.localPort).toBeLessThanOrEqual(RANGE.max);
  });

  it('moves on to the next even port when one is taken', async () => {
    const taken = dgram.createSocket('udp4');
    taken.bind(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = taken.address().port;
    opened.push({ close: () => taken.close() });
    const even = port % 2 === 0 ? port : port - 1;
    if (even !== port) {
      // Only the even port of the pair matters; take it too.
      const second = dgram.createSocket('udp4');
      second.bind(even, '127.0.0.1');
      await once(second, 'listening');
      opened.push({ close: () => second.close() });
    }
    const media = await PhoneMedia.open({ localIp: '127.0.0.1', portRange: { min: even, max: even + 2 } });
    opened.push(media);
    expect(media.localPort).toBe(even + 2);
  });

  it('decodes the phone audio for the mixer, through the jitter buffer', async () => {
    const { media, phone } = await setup();
    const tone = new SineSource(1000, 6000);
    const sender = new RtpSender({ payloadType: 0 });
    for (let i = 0; i < 10; i++) phone.send(sender.packet(ulawEncode(tone.next()), 160), media.localPort);
    await waitUntil(() => media.stats.packetsIn === 10, 5000, 'phone packets');
    const frames: Int16Array[] = [];
    for (let i = 0; i < 12; i++) {
      const frame = media.readFrame();
      if (frame !== null) frames.push(frame.slice());
    }
    expect(frames).toHaveLength(10);
    expect(goertzel(concatFrames(frames), 1000)).toBeGreaterThan(5500);
  });

  it('sends the mix as continuous RTP that decodes to what the mixer gave', async () => {
    const { media, phone } = await setup();
    const tone = new SineSource(700, 5000);
    const given: Int16Array[] = [];
    for (let i = 0; i < 5; i++) {
      const frame = tone.next();
      given.push(frame);
      media.writeFrame(frame);
    }
    const packets = (await phone.waitFor(5)).map((d) => parseRtp(d));
    expect(packets.map((p) => p?.marker)).toEqual([true, false, false, false, false]);
    for (let i = 1; i < 5; i++) {
      expect(((packets[i]?.sequenceNumber ?? 0) - (packets[i - 1]?.sequenceNumber ?? 0)) & 0xffff).toBe(1);
      expect(((packets[i]?.timestamp ?? 0) - (packets[i - 1]?.timestamp ?? 0)) >>> 0).toBe(160);
    }
    packets.forEach((p, i) => {
      const decoded = ulawDecode(p?.payload ?? Buffer.alloc(0));
      const original = given[i] as Int16Array;
      expect(decoded).toHaveLength(160);
      for (let s = 0; s < 160; s++)
        expect(Math.abs((decoded[s] as number) - (original[s] as number))).toBeLessThan(200);
    });
    expect(media.stats.packetsOut).toBe(5);
  });

  it('muted toward the far end (the upstream link): comfort noise instead of the mix, RTP keeps flowing', async () => {
    const { media, phone } = await setup();
    const tone = new SineSource(700, 8000);
    media.setSendMuted(true);
    for (let i = 0; i < 3; i++) media.writeFrame(tone.next());
    media.setSendMuted(false);
    for (let i = 0; i < 3; i++) media.writeFrame(tone.next());
    const levels = (await phone.waitFor(6)).map((d) => frameRms(ulawDecode(parseRtp(d)?.payload ?? Buffer.alloc(0))));
    for (const level of levels.slice(0, 3)) expect(level).toBeLessThan(100);
    for (const level of levels.slice(3)) expect(level).toBeGreaterThan(2000);
  });

  it('plays prompts before the mix, then comfort noise; stopPrompts ends them early', async () => {
    const { media, phone } = await setup();
    const prompt = new SineSource(500, 8000).next(400); // 2.5 frames
    const done = media.play(prompt);
    const interrupted = media.play(new Int16Array(8000));
    expect(media.playing).toBe(true);
    for (let i = 0; i < 3; i++) media.writeFrame(new SineSource(1500, 8000).next());
    await expect(done).resolves.toBe(true);
    media.stopPrompts();
    await expect(interrupted).resolves.toBe(false);
    media.writeFrame(null);
    const payloads = (await phone.waitFor(4)).map((d) => ulawDecode(parseRtp(d)?.payload ?? Buffer.alloc(0)));
    const promptHeard = concatFrames(payloads.slice(0, 3));
    expect(goertzel(promptHeard, 500)).toBeGreaterThan(4000);
    expect(goertzel(promptHeard, 1500)).toBeLessThan(50);
    const noise = payloads[3] as Int16Array;
    const rms = Math.sqrt(noise.reduce((s, v) => s + v * v, 0) / noise.length);
    expect(rms).toBeGreaterThan(0);
    expect(rms).toBeLessThan(40);
  });

  it('sends nothing while held, then resumes with a timestamp jump and a marker', async () => {
    const { media, phone } = await setup();
    media.writeFrame(null);
    await phone.waitFor(1);
    media.setHeld(true);
    for (let i = 0; i < 5; i++) media.writeFrame(null);
    media.setHeld(false);
    media.writeFrame(null);
    const [first, second] = (await phone.waitFor(2)).map((d) => parseRtp(d));
    expect(phone.received).toHaveLength(2);
    expect(second?.marker).toBe(true);
    expect(((second?.sequenceNumber ?? 0) - (first?.sequenceNumber ?? 0)) & 0xffff).toBe(1);
    expect(((second?.timestamp ?? 0) - (first?.timestamp ?? 0)) >>> 0).toBe(160 * 6);
  });

  it('answers to the port a NAT gave the phone, latched once from the SDP address', async () => {
    const { media, phone } = await setup({ remote: { ip: '127.0.0.1', port: 9 } });
    phone.send(new RtpSender({ payloadType: 0 }).packet(Buffer.alloc(160, 0xff), 160), media.localPort);
    await waitUntil(() => media.stats.packetsIn === 1, 5000, 'phone packet');
    media.writeFrame(null);
    await phone.waitFor(1);
    // Latched: another port of the same address may not take the call over.
    const neighbour = await UdpPeer.open();
    opened.push(neighbour);
    neighbour.send(new RtpSender({ payloadType: 0 }).packet(Buffer.alloc(160, 0xff), 160), media.localPort);
    await waitUntil(() => media.stats.foreignDropped === 1, 5000, 'the neighbour dropped');
    media.writeFrame(null);
    await phone.waitFor(2);
    expect(neighbour.received).toHaveLength(0);
    expect(media.stats.packetsIn).toBe(1);
  });

  it('ignores, without counting them as foreign, packets that arrive before the answer names the phone', async () => {
    const media = await PhoneMedia.open({ localIp: '127.0.0.1', portRange: RANGE });
    const phone = await UdpPeer.open();
    opened.push(media, phone);
    phone.send(new RtpSender({ payloadType: 0 }).packet(Buffer.alloc(160, 0xff), 160), media.localPort);
    await waitUntil(() => media.stats.ignored === 1, 5000, 'the early packet');
    expect(media.stats.foreignDropped).toBe(0);
  });

  it('drops audio and keypad tones from any other source, counts them, and keeps sending to the phone', async () => {
    let counted = 0;
    const { media, phone } = await setup({}, undefined, () => counted++);
    const digits: string[] = [];
    media.on('dtmf', (d) => digits.push(d));
    const stranger = await UdpPeer.open('127.0.0.2');
    opened.push(stranger);
    // A "1" pressed by the stranger (RFC 4733, end bit set), then loud audio.
    for (let i = 0; i < 6; i++) {
      const payload = Buffer.from([eventForDigit('1'), i >= 3 ? 0x8a : 0x0a, 0, 160 * (i + 1)]);
      stranger.send(
        buildRtp({ payloadType: 101, sequenceNumber: i + 1, timestamp: 1000, ssrc: 7, marker: i === 0, payload }),
        media.localPort,
      );
    }
    const sender = new RtpSender({ payloadType: 0 });
    const tone = new SineSource(1000, 6000);
    for (let i = 0; i < 4; i++) stranger.send(sender.packet(ulawEncode(tone.next()), 160), media.localPort);
    await waitUntil(() => media.stats.foreignDropped === 10, 5000, 'the stranger dropped');
    expect(counted).toBe(10);
    expect(digits).toEqual([]);
    expect(media.stats.packetsIn).toBe(0);
    expect(media.readFrame()).toBeNull();
    media.writeFrame(null);
    await phone.waitFor(1);
    expect(stranger.received).toHaveLength(0);
  });

  it('turns RFC 4733 events into one dtmf event per key press', async () => {
    const { media, phone } = await setup();
    const digits: string[] = [];
    media.on('dtmf', (d) => digits.push(d));
    let seq = 1;
    for (const [digit, ts] of [
      ['4', 1000],
      ['#', 2000],
    ] as const) {
      for (let i = 0; i < 6; i++) {
        const payload = Buffer.from([eventForDigit(digit), i >= 3 ? 0x8a : 0x0a, 0, 160 * (i + 1)]);
        phone.send(
          buildRtp({ payloadType: 101, sequenceNumber: seq++, timestamp: ts, ssrc: 5, marker: i === 0, payload }),
          media.localPort,
        );
      }
    }
    await waitUntil(() => media.stats.packetsIn === 12, 5000, 'DTMF packets');
    expect(digits).toEqual(['4', '#']);
  });

  it('ignores garbage and keeps working', async () => {
    const { media, phone } = await setup();
    // In batches: a burst of hundreds of datagrams would overflow the socket's receive buffer.
    for (let batch = 0; batch < 6; batch++) {
      for (let i = 1; i <= 50; i++) phone.send(randomBytes(i * 4), media.localPort);
      await waitUntil(() => media.stats.packetsIn + media.stats.ignored >= (batch + 1) * 50, 5000, 'garbage');
    }
    expect(media.stats.ignored).toBeGreaterThan(250);
    const before = media.stats.packetsIn;
    phone.send(new RtpSender({ payloadType: 0 }).packet(Buffer.alloc(160, 0xff), 160), media.localPort);
    await waitUntil(() => media.stats.packetsIn === before + 1, 5000, 'a good packet after the garbage');
  });

  it('forwards the phone audio to the uplink as PCMU with the given SSRC', async () => {
    const { media, phone } = await setup({ codec: 'PCMA', payloadType: 8 });
    const producer = await UdpPeer.open();
    opened.push(producer);
    media.setUplink({ ip: '127.0.0.1', port: producer.port, ssrc: 0x1234, payloadType: 100 });
    const sender = new RtpSender({ payloadType: 8 });
    const tone = new SineSource(440, 5000);
    const sent: Buffer[] = [];
    for (let i = 0; i < 4; i++) {
      const payload = alawEncode(tone.next());
      sent.push(payload);
      phone.send(sender.packet(payload, 160), media.localPort);
    }
    const packets = (await producer.waitFor(4)).map((d) => parseRtp(d));
    expect(packets.every((p) => p?.ssrc === 0x1234 && p.payloadType === 100)).toBe(true);
    packets.forEach((p, i) => {
      expect([...(p?.payload ?? [])]).toEqual([...alawToUlaw(sent[i] as Buffer)]);
    });
    expect(((packets[3]?.sequenceNumber ?? 0) - (packets[0]?.sequenceNumber ?? 0)) & 0xffff).toBe(3);
    expect(((packets[3]?.timestamp ?? 0) - (packets[0]?.timestamp ?? 0)) >>> 0).toBe(480);

    media.setMuted(true);
    phone.send(sender.packet(alawEncode(tone.next()), 160), media.localPort);
    await waitUntil(() => media.stats.packetsIn === 5, 5000, 'the muted packet');
    expect(media.readFrame()).toBeNull();
    media.setMuted(false);
    phone.send(sender.packet(alawEncode(tone.next()), 160), media.localPort);
    const after = parseRtp((await producer.waitFor(5))[4] as Buffer);
    expect(producer.received).toHaveLength(5);
    // The muted packet's 20 ms shows as a timestamp gap, not as audio.
    expect(((after?.timestamp ?? 0) - (packets[3]?.timestamp ?? 0)) >>> 0).toBe(320);
  });

  it('forwards a G.722 phone as is to a G.722 producer, and transcodes when the codecs differ', async () => {
    const { media, phone } = await setup({ codec: 'G722', payloadType: 9 });
    expect(media.mixRate).toBe(16_000);
    expect(media.uplinkCodec).toBe('G722');
    const producer = await UdpPeer.open();
    opened.push(producer);
    media.setUplink({ ip: '127.0.0.1', port: producer.port, ssrc: 0x1234, payloadType: 9, codec: 'G722' });
    const sender = new RtpSender({ payloadType: 9 });
    const encoder = new G722Encoder();
    const tone = new SineSource(1000, 8000, 16_000);
    const sent = Array.from({ length: 30 }, () => encoder.encode(tone.next()));
    for (const payload of sent.slice(0, 5)) phone.send(sender.packet(payload, 160), media.localPort);
    const packets = (await producer.waitFor(5)).map((d) => parseRtp(d));
    expect(packets.map((p) => p?.payload.toString('hex'))).toEqual(sent.slice(0, 5).map((b) => b.toString('hex')));
    expect(((packets[4]?.timestamp ?? 0) - (packets[0]?.timestamp ?? 0)) >>> 0).toBe(640);

    // The producer was opened as PCMU (say, before a re-INVITE to G.722): the tone arrives as µ-law, same level.
    media.setUplink({ ip: '127.0.0.1', port: producer.port, ssrc: 0x1234, payloadType: 0, codec: 'PCMU' });
    for (const payload of sent.slice(5)) phone.send(sender.packet(payload, 160), media.localPort);
    const transcoded = (await producer.waitFor(30)).slice(5).map((d) => parseRtp(d));
    expect(transcoded.every((p) => p?.payloadType === 0 && p.payload.length === 160)).toBe(true);
    const heard = concatFrames(transcoded.slice(5).map((p) => ulawDecode(p?.payload ?? Buffer.alloc(0))));
    expect(goertzel(heard, 1000)).toBeGreaterThan(7600);
    expect(goertzel(heard, 1000)).toBeLessThan(8400);
  });

  it('plays 8 kHz prompts and comfort noise to a G.722 phone as 16 kHz G.722', async () => {
    const { media, phone } = await setup({ codec: 'G722', payloadType: 9 });
    const prompt = concatFrames(
      Array.from(
        { length: 10 },
        (
          (t) => () =>
            t.next()
        )(new SineSource(700, 6000)),
      ),
    );
    void media.play(prompt);
    for (let i = 0; i < 15; i++) media.writeFrame(null);
    const packets = (await phone.waitFor(15)).map((d) => parseRtp(d));
    expect(packets.every((p) => p?.payloadType === 9 && p.payload.length === 160)).toBe(true);
    const decoder = new G722Decoder();
    const pcm = packets.map((p) => decoder.decode(p?.payload ?? Buffer.alloc(0)));
    const promptPart = concatFrames(pcm.slice(2, 10));
    expect(goertzel(promptPart, 700, 16_000)).toBeGreaterThan(5700);
    expect(goertzel(promptPart, 700, 16_000)).toBeLessThan(6300);
    // Then comfort noise: faint, never silence, never the tone.
    const noise = concatFrames(pcm.slice(12));
    expect(frameRms(noise)).toBeGreaterThan(2);
    expect(frameRms(noise)).toBeLessThan(60);
  });

  it('reports an RTP timeout, but not while the call is held', async () => {
    const held = await setup({}, 150);
    held.media.setHeld(true);
    const { media } = await setup({}, 150);
    const timedOut = new Promise<void>((resolve) => media.once('timeout', resolve));
    let heldTimedOut = false;
    held.media.on('timeout', () => {
      heldTimedOut = true;
    });
    await timedOut;
    expect(heldTimedOut).toBe(false);
  });
});
