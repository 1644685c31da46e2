/**
 * The load generator (test/load) against a real node and a real mediasoup
 * worker: 2 rooms × 3 phone-leg participants join through the public
 * protocol, each one's PCMU tone is heard where it leaves mediasoup (a plain
 * consumer per producer, as a recorder or the gateway's tap would get it),
 * and stop() leaves the node with nobody in a room and no producers.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ulawDecode } from '../../sip-gateway/src/media/g711.ts';
import { parseRtp } from '../../sip-gateway/src/media/rtp.ts';
import { concatFrames, goertzel } from '../../sip-gateway/src/media/toneTesting.ts';
import { LoadGenerator } from '../load/LoadGenerator.ts';
import { mintServiceToken } from '../load/legTokens.ts';
import { ensureLoadRooms } from '../load/loadRooms.ts';
import { metricValue } from '../soak/processSampler.ts';
import { freePortBlock } from '../src/ports.ts';
import { useTestNode } from './helpers.ts';

const JWT_SECRET = 'load-generator-test-secret-0123456789abcdef';
/** The ears listen on the gateway's RTP ports: the media sends plain RTP nowhere else. */
const RTP_PORTS = 20;
const rtpMin = await freePortBlock(RTP_PORTS);
let nextEarPort = rtpMin;
const t = useTestNode({
  env: {
    BEACON_JWT_SECRET: JWT_SECRET,
    BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
    BEACON_SIP_RTP_PORT_MAX: String(rtpMin + RTP_PORTS - 1),
  },
});
const ears: UdpSocket[] = [];
let load: LoadGenerator | undefined;

afterEach(async () => {
  await load?.stop();
  for (const ear of ears.splice(0)) ear.close();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A UDP socket that keeps the decoded PCMU audio of every RTP packet it receives. */
async function ear(): Promise<{ port: number; frames: Int16Array[] }> {
  const socket = createSocket('udp4');
  ears.push(socket);
  const port = nextEarPort++;
  if (port > rtpMin + RTP_PORTS - 1) throw new Error('the test used up its gateway RTP ports');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  const frames: Int16Array[] = [];
  socket.on('message', (datagram) => {
    const packet = parseRtp(datagram);
    if (packet?.payloadType === 0) frames.push(ulawDecode(packet.payload));
  });
  return { port: (socket.address() as AddressInfo).port, frames };
}

/** Beacon's own gauge, as an operator's Prometheus reads it. */
async function metric(name: string): Promise<number> {
  return metricValue(await (await fetch(`${t.url}/metrics`)).text(), name);
}

describe('load generator', () => {
  it('joins 2 rooms × 3 phone legs whose tones reach mediasoup, and leaves cleanly', async () => {
    const rooms = await ensureLoadRooms({ url: t.url, password: 'beacon2026', count: 2, prefix: 'it-load' });
    load = new LoadGenerator({
      urls: [t.url],
      serviceToken: await mintServiceToken(JWT_SECRET),
      rooms,
      perRoom: 3,
      rampPerSecond: 0,
    });
    await load.start();

    const joined = load.stats.summary();
    expect(joined).toMatchObject({ attempted: 6, joined: 6, failures: {}, disconnects: {} });
    expect(await metric('beacon_phone_participants')).toBe(6);
    for (const roomId of rooms) {
      const inRoom = load.participants.filter((p) => p.roomId === roomId);
      expect(inRoom).toHaveLength(3);
      expect(inRoom.every((p) => p.producerId !== null)).toBe(true);
    }

    // Each producer's RTP leaves mediasoup again as that participant's tone.
    const heard = await Promise.all(
      load.participants.map(async (participant, n) => {
        const { port, frames } = await ear();
        await t.beacon.node.media.createPlainConsumer(participant.roomId, `it-ear-${n}`, participant.producerId ?? '', {
          remoteIp: '127.0.0.1',
          remotePort: port,
        });
        return { participant, frames, earPeer: `it-ear-${n}` };
      }),
    );
    await waitFor(() => heard.every(({ frames }) => frames.length >= 25), 'half a second of audio from every leg');
    for (const { participant, frames } of heard) {
      const audio = concatFrames(frames.slice(0, 25));
      const own = goertzel(audio, participant.toneHz);
      // A pure tone of amplitude 8000: its own frequency strong, a neighbour's 50 Hz away nearly absent.
      expect(own, `tone ${participant.toneHz} Hz`).toBeGreaterThan(4_000);
      expect(goertzel(audio, participant.toneHz + 50)).toBeLessThan(own / 10);
    }
    for (const { participant, earPeer } of heard) t.beacon.node.media.closePeer(participant.roomId, earPeer);

    await load.stop();
    const left = load.stats.summary();
    expect(left).toMatchObject({ left: 6, failures: {}, disconnects: {}, rtpSendErrors: 0 });
    expect(left.rtpPacketsSent).toBeGreaterThan(6 * 25);
    await waitFor(() => t.beacon.node.media.counts().producers === 0, 'producers closed');
    expect(await metric('beacon_phone_participants')).toBe(0);
    expect(await metric('beacon_participants')).toBe(0);
  });
});
