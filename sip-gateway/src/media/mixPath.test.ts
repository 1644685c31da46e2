import { afterEach, describe, expect, it } from 'vitest';
import { ulawDecode, ulawEncode } from './g711.ts';
import { PhoneMedia } from './PhoneMedia.ts';
import { RoomMixer } from './RoomMixer.ts';
import { parseRtp, RtpSender } from './rtp.ts';
import { concatFrames, goertzel, SineSource } from './toneTesting.ts';
import { UdpPeer, waitUntil } from './udpTesting.ts';

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

describe('phone → mixer → phone over loopback UDP', () => {
  it('each phone hears the other and not itself', async () => {
    const mixer = new RoomMixer();
    const ends: { media: PhoneMedia; phone: UdpPeer; tone: SineSource; sender: RtpSender }[] = [];
    for (const frequency of [500, 1200]) {
      const media = await PhoneMedia.open({ localIp: '127.0.0.1', portRange: { min: 20_000, max: 29_998 } });
      const phone = await UdpPeer.open();
      opened.push(media, phone);
      media.setFormat({
        codec: 'PCMU',
        payloadType: 0,
        telephoneEventPt: null,
        remote: { ip: '127.0.0.1', port: phone.port },
      });
      mixer.addLeg(`leg${frequency}`, media);
      ends.push({ media, phone, tone: new SineSource(frequency, 6000), sender: new RtpSender({ payloadType: 0 }) });
    }
    for (let tick = 0; tick < 20; tick++) {
      for (const end of ends) end.phone.send(end.sender.packet(ulawEncode(end.tone.next()), 160), end.media.localPort);
      await waitUntil(() => ends.every((e) => e.media.stats.packetsIn > tick), 5000, 'both phones');
      mixer.tick();
    }
    const [a, b] = await Promise.all(ends.map((e) => e.phone.waitFor(20)));
    const heard = (packets: Buffer[]) =>
      concatFrames(packets.slice(5).map((p) => ulawDecode(parseRtp(p)?.payload ?? Buffer.alloc(0))));
    expect(goertzel(heard(a ?? []), 1200)).toBeGreaterThan(4000);
    expect(goertzel(heard(a ?? []), 500)).toBeLessThan(100);
    expect(goertzel(heard(b ?? []), 500)).toBeGreaterThan(4000);
    expect(goertzel(heard(b ?? []), 1200)).toBeLessThan(100);
  });
});
