import { afterEach, describe, expect, it } from 'vitest';
import { encodeOpusTone } from './opusTesting.ts';
import { RoomTap } from './RoomTap.ts';
import { RtpSender } from './rtp.ts';
import { concatFrames, goertzel } from './toneTesting.ts';
import { UdpPeer, waitUntil } from './udpTesting.ts';

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

const opusStream = (peerId: string, ssrc: number) => ({
  producerId: `producer-${peerId}`,
  peerId,
  ssrc,
  payloadType: 100,
  mimeType: 'audio/opus',
  clockRate: 48_000,
  channels: 2,
});

describe('RoomTap', () => {
  it('decodes each browser stream on the shared port into frames keyed by peer', async () => {
    const tap = await RoomTap.open({ localIp: '127.0.0.1' });
    const mediasoup = await UdpPeer.open();
    opened.push(tap, mediasoup);
    tap.addStream(opusStream('alice', 1111));
    tap.addStream(opusStream('bob', 2222));
    const alice = new RtpSender({ ssrc: 1111, payloadType: 100, clockRate: 48_000 });
    const bob = new RtpSender({ ssrc: 2222, payloadType: 100, clockRate: 48_000 });
    const alicePackets = encodeOpusTone(600, 8000, 20);
    const bobPackets = encodeOpusTone(1300, 8000, 20);
    for (let i = 0; i < 20; i++) {
      mediasoup.send(alice.packet(alicePackets[i] as Buffer, 960), tap.localPort);
      mediasoup.send(bob.packet(bobPackets[i] as Buffer, 960), tap.localPort);
      // RTCP on the same port (rtcpMux) and an SSRC nobody announced are ignored.
      mediasoup.send(Buffer.from([0x80, 200, 0, 6, 0, 0, 0x04, 0x57, ...new Array(20).fill(0)]), tap.localPort);
    }
    mediasoup.send(
      new RtpSender({ ssrc: 3333, payloadType: 100 }).packet(alicePackets[0] as Buffer, 960),
      tap.localPort,
    );
    await waitUntil(() => tap.ignored === 21, 5000, 'all datagrams at the tap');

    const heard = new Map<string, Int16Array[]>();
    for (let tick = 0; tick < 30; tick++) {
      for (const [peerId, frame] of tap.readFrames()) heard.set(peerId, [...(heard.get(peerId) ?? []), frame.slice()]);
    }
    // 20 decoded frames each, then up to 3 fading concealment frames, then nothing.
    expect(heard.get('alice')?.length).toBe(23);
    const aliceAudio = concatFrames(heard.get('alice')?.slice(5, 20) ?? []);
    const bobAudio = concatFrames(heard.get('bob')?.slice(5, 20) ?? []);
    expect(goertzel(aliceAudio, 600, 16_000)).toBeGreaterThan(5000);
    expect(goertzel(aliceAudio, 1300, 16_000)).toBeLessThan(300);
    expect(goertzel(bobAudio, 1300, 16_000)).toBeGreaterThan(5000);
    expect([...heard.keys()].sort()).toEqual(['alice', 'bob']);
  });

  it('forgets a removed stream', async () => {
    const tap = await RoomTap.open({ localIp: '127.0.0.1' });
    const mediasoup = await UdpPeer.open();
    opened.push(tap, mediasoup);
    tap.addStream(opusStream('carol', 4444));
    tap.removeStream('producer-carol');
    const sender = new RtpSender({ ssrc: 4444, payloadType: 100 });
    for (const p of encodeOpusTone(600, 8000, 5)) mediasoup.send(sender.packet(p, 960), tap.localPort);
    await waitUntil(() => tap.ignored === 5, 5000, 'datagrams for the removed stream');
    expect(tap.readFrames().size).toBe(0);
    expect(tap.streamCount).toBe(0);
  });

  it("takes a stream's packets only from where its first packet came (mediasoup), not from a stranger", async () => {
    let counted = 0;
    const tap = await RoomTap.open({ localIp: '127.0.0.1', onForeignPacket: () => counted++ });
    const mediasoup = await UdpPeer.open();
    const stranger = await UdpPeer.open('127.0.0.2');
    opened.push(tap, mediasoup, stranger);
    tap.addStream(opusStream('dave', 5555));
    const real = new RtpSender({ ssrc: 5555, payloadType: 100, clockRate: 48_000 });
    // Three packets fill the jitter buffer's playout target.
    for (const p of encodeOpusTone(600, 8000, 3)) mediasoup.send(real.packet(p, 960), tap.localPort);
    await waitUntil(() => tap.readFrames().has('dave'), 5000, "mediasoup's packets");
    // Someone who learnt the SSRC (it travels in clear RTP) sends a louder stream.
    const forged = new RtpSender({ ssrc: 5555, payloadType: 100, clockRate: 48_000 });
    for (const p of encodeOpusTone(1300, 8000, 5)) stranger.send(forged.packet(p, 960), tap.localPort);
    await waitUntil(() => tap.foreignDropped === 5, 5000, "the stranger's packets");
    expect(counted).toBe(5);
  });
});
