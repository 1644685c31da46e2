/**
 * The whole gateway media path over loopback UDP with real codecs: a G.722
 * phone, a PCMA phone and a browser (Opus into the room tap) in one mixer.
 * What each phone hears is decoded as the phone would and measured: which
 * tones, and at what level. The level check is the one that matters to a
 * listener: a browser's tone and a phone's tone of the same source level
 * must reach a PCMA phone at the same level (within 1 dB).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alawDecode, alawEncode } from './g711.ts';
import { G722Decoder, G722Encoder } from './g722.ts';
import { encodeOpusTone } from './opusTesting.ts';
import { PhoneMedia } from './PhoneMedia.ts';
import { RoomMixer } from './RoomMixer.ts';
import { RoomTap } from './RoomTap.ts';
import { parseRtp, RtpSender } from './rtp.ts';
import { concatFrames, goertzel, SineSource } from './toneTesting.ts';
import { UdpPeer, waitUntil } from './udpTesting.ts';

const RANGE = { min: 20_000, max: 29_998 };
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

const AMPLITUDE = 8000;
const TICKS = 60;

async function phoneLeg(codec: 'PCMA' | 'G722') {
  const media = await PhoneMedia.open({ localIp: '127.0.0.1', portRange: RANGE });
  const phone = await UdpPeer.open();
  opened.push(media, phone);
  const payloadType = codec === 'G722' ? 9 : 8;
  media.setFormat({ codec, payloadType, telephoneEventPt: null, remote: { ip: '127.0.0.1', port: phone.port } });
  return { media, phone, payloadType, sender: new RtpSender({ payloadType }) };
}

describe('wideband and narrowband phones with a browser, over loopback UDP', () => {
  it('a G.722 phone hears the browser up to 7 kHz, a PCMA phone to 4 kHz, both at the source level', async () => {
    const wide = await phoneLeg('G722');
    const narrow = await phoneLeg('PCMA');
    const mixer = new RoomMixer({ maxSpeakers: 3 });
    mixer.addLeg('wide', wide.media);
    mixer.addLeg('narrow', narrow.media);
    const tap = await RoomTap.open({ localIp: '127.0.0.1' });
    const mediasoup = await UdpPeer.open();
    opened.push(tap, mediasoup);
    mixer.setTap(tap);
    tap.addStream({
      producerId: 'mic',
      peerId: 'browser',
      ssrc: 4242,
      payloadType: 100,
      mimeType: 'audio/opus',
      clockRate: 48_000,
      channels: 2,
    });
    const browserSender = new RtpSender({ ssrc: 4242, payloadType: 100 });
    // The browser speaks 1 kHz and 6 kHz; the G.722 phone 440 Hz and 5 kHz; the PCMA phone 700 Hz.
    const browser = encodeOpusTone([1000, 6000], AMPLITUDE / 2, TICKS);
    const wideTone = [new SineSource(440, AMPLITUDE / 2, 16_000), new SineSource(5000, AMPLITUDE / 2, 16_000)];
    const wideEncoder = new G722Encoder();
    const narrowTone = new SineSource(700, AMPLITUDE);
    for (let tick = 0; tick < TICKS; tick++) {
      const pcm = wideTone[0]?.next() as Int16Array;
      const high = wideTone[1]?.next() as Int16Array;
      for (let i = 0; i < pcm.length; i++) pcm[i] = (pcm[i] as number) + (high[i] as number);
      wide.phone.send(wide.sender.packet(wideEncoder.encode(pcm), 160), wide.media.localPort);
      narrow.phone.send(narrow.sender.packet(alawEncode(narrowTone.next()), 160), narrow.media.localPort);
      mediasoup.send(browserSender.packet(browser[tick] as Buffer, 960), tap.localPort);
      await waitUntil(
        () => wide.media.stats.packetsIn > tick && narrow.media.stats.packetsIn > tick && tap.packetsReceived > tick,
        5000,
        'the phones’ and the browser’s packets',
      );
      mixer.tick();
    }
    const [wideHeard, narrowHeard] = await Promise.all([wide.phone.waitFor(TICKS), narrow.phone.waitFor(TICKS)]);
    const decoder = new G722Decoder();
    const atWide = concatFrames(
      (wideHeard ?? []).map((p) => decoder.decode(parseRtp(p)?.payload ?? Buffer.alloc(0))),
    ).subarray(320 * 20);
    const atNarrow = concatFrames(
      (narrowHeard ?? []).map((p) => alawDecode(parseRtp(p)?.payload ?? Buffer.alloc(0))),
    ).subarray(160 * 20);
    const wideLevel = (f: number) => goertzel(atWide, f, 16_000);
    const narrowLevel = (f: number) => goertzel(atNarrow, f, 8000);

    // The G.722 phone: the browser's 1 kHz and 6 kHz (wideband end to end) and the PCMA phone's 700 Hz, not itself.
    expect(dbOff(wideLevel(1000), AMPLITUDE / 2)).toBeLessThan(1);
    expect(dbOff(wideLevel(6000), AMPLITUDE / 2)).toBeLessThan(1.5);
    expect(dbOff(wideLevel(700), AMPLITUDE)).toBeLessThan(1);
    expect(wideLevel(440)).toBeLessThan(AMPLITUDE / 100);
    expect(wideLevel(5000)).toBeLessThan(AMPLITUDE / 100);

    // The PCMA phone: the browser's 1 kHz and the G.722 phone's 440 Hz at their levels; no 6 kHz or 5 kHz
    // (nor their aliases at 2 and 3 kHz); not itself.
    expect(dbOff(narrowLevel(1000), AMPLITUDE / 2)).toBeLessThan(1);
    expect(dbOff(narrowLevel(440), AMPLITUDE / 2)).toBeLessThan(1);
    expect(narrowLevel(2000)).toBeLessThan(AMPLITUDE / 100);
    expect(narrowLevel(3000)).toBeLessThan(AMPLITUDE / 100);
    expect(narrowLevel(700)).toBeLessThan(AMPLITUDE / 100);
  });
});

/** |level in dB relative to the expected amplitude|. */
function dbOff(amplitude: number, expected: number): number {
  return Math.abs(20 * Math.log10(amplitude / expected));
}
