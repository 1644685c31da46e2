import { afterEach, describe, expect, it } from 'vitest';
import type { VideoNegotiation } from '../sip/sipTypes.ts';
import { asksForKeyFrame, buildFir, buildPli } from './rtcpFeedback.ts';
import { buildRtp, parseRtp } from './rtp.ts';
import { TerminalVideo } from './TerminalVideo.ts';
import { UdpPeer, waitUntil } from './udpTesting.ts';

const TERMINAL_PT = 99;
const PRODUCER_PT = 99;
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

async function peer(ip = '127.0.0.1'): Promise<UdpPeer> {
  const p = await UdpPeer.open(ip);
  opened.push(p);
  return p;
}

/** A terminal (RTP and RTCP sockets), the producer's transport and a main view consumer, around one TerminalVideo. */
async function setup() {
  const video = await TerminalVideo.open({ localIp: '127.0.0.1', portRange: null });
  opened.push(video);
  const terminal = await peer();
  const terminalRtcp = await peer();
  const producer = await peer();
  const view = await peer();
  const negotiation: VideoNegotiation = {
    remote: { ip: '127.0.0.1', port: terminal.port, rtcpPort: terminalRtcp.port },
    rtcpMux: false,
    payloadType: TERMINAL_PT,
    profileLevelId: '42e01f',
    bandwidthKbps: 1024,
    remoteDirection: 'sendrecv',
  };
  video.setRemote(negotiation);
  video.setUplink({ ip: '127.0.0.1', port: producer.port, ssrc: 4242, payloadType: PRODUCER_PT });
  return { video, terminal, terminalRtcp, producer, view };
}

/** An H.264 packet carrying one NAL unit of `nalType`. */
function h264(nalType: number, seq: number, ssrc = 777, payloadType = TERMINAL_PT): Buffer {
  const payload = Buffer.from([0x60 | nalType, 1, 2, 3]);
  return buildRtp({
    payloadType,
    sequenceNumber: seq,
    timestamp: seq * 3000,
    ssrc,
    marker: true,
    payload,
  });
}

describe('TerminalVideo', () => {
  it("relays the terminal's video to the producer with our SSRC, and nothing from a stranger", async () => {
    const { video, terminal, producer } = await setup();
    const stranger = await peer('127.0.0.2');
    stranger.socket.send(h264(1, 1, 999), video.localPort, '127.0.0.1');
    terminal.send(h264(7, 2), video.localPort);
    terminal.send(h264(5, 3), video.localPort);
    const got = await producer.waitFor(2);
    expect(got.map((p) => parseRtp(p)?.ssrc)).toEqual([4242, 4242]);
    expect(got.map((p) => parseRtp(p)?.sequenceNumber)).toEqual([2, 3]);
    expect(video.packetsIn).toBe(2);
  });

  it('after our offer takes every H.264 payload type we offered (a terminal may send with another than it answered)', async () => {
    const { video, terminal, producer } = await setup();
    video.setRemote({
      remote: { ip: '127.0.0.1', port: terminal.port, rtcpPort: terminal.port + 1 },
      rtcpMux: false,
      payloadType: 98,
      sendPayloadTypes: [96, 97, 98],
      profileLevelId: '42e01f',
      bandwidthKbps: null,
      remoteDirection: 'sendrecv',
    });
    terminal.send(h264(7, 1, 777, 100), video.localPort); // not offered: dropped
    terminal.send(h264(7, 2, 777, 96), video.localPort);
    terminal.send(h264(5, 3, 777, 98), video.localPort);
    const got = await producer.waitFor(2);
    expect(got.map((p) => [parseRtp(p)?.sequenceNumber, parseRtp(p)?.payloadType])).toEqual([
      [2, PRODUCER_PT],
      [3, PRODUCER_PT],
    ]);
    expect(video.packetsIn).toBe(2);
  });

  it("turns the room's key-frame request into a PLI to the terminal and a picture update (INFO)", async () => {
    const { video, terminal, terminalRtcp, producer } = await setup();
    let updates = 0;
    video.on('pictureUpdate', () => updates++);
    terminal.send(h264(7, 1), video.localPort); // teaches the terminal's SSRC
    await producer.waitFor(1);
    await new Promise((r) => setTimeout(r, 600)); // past the request interval of the uplink's own request
    const before = terminalRtcp.received.length;
    producer.send(buildFir(1, 4242, 1), video.roomSide.localPort);
    await terminalRtcp.waitFor(before + 1);
    const pli = terminalRtcp.received.at(-1) as Buffer;
    expect(asksForKeyFrame(pli)).toBe(true);
    expect(pli.readUInt32BE(8)).toBe(777);
    expect(updates).toBeGreaterThanOrEqual(1);
  });

  it("forwards the main view to the terminal in its payload type, and its PLI to the view's consumer", async () => {
    const { video, terminal, terminalRtcp, view } = await setup();
    let asked = 0;
    video.on('keyFrameRequest', () => asked++);
    video.setView({ port: view.port, ssrc: 5555, relayTo: null, transcodedFrom: null });
    const sent = buildRtp({
      payloadType: 125,
      sequenceNumber: 9,
      timestamp: 1,
      ssrc: 5555,
      marker: false,
      payload: Buffer.from([0x65, 0]),
    });
    view.send(sent, video.roomSide.localPort);
    const [first] = await terminal.waitFor(1);
    expect(parseRtp(first as Buffer)).toMatchObject({ payloadType: TERMINAL_PT, ssrc: video.ssrc, sequenceNumber: 9 });
    terminalRtcp.send(buildPli(777, video.ssrc), video.localPort + 1);
    await view.waitFor(1);
    const pli = view.received[0] as Buffer;
    expect(asksForKeyFrame(pli)).toBe(true);
    expect(pli.readUInt32BE(8)).toBe(5555);
    expect(asked).toBe(1);
  });

  it('reports a key frame without SPS/PPS once, as h264_no_parameter_sets', async () => {
    const { video, terminal, producer } = await setup();
    const problems: string[] = [];
    video.on('problem', (code) => problems.push(code));
    terminal.send(h264(5, 1), video.localPort);
    terminal.send(h264(5, 2), video.localPort);
    await producer.waitFor(2);
    await waitUntil(() => problems.length > 0, 2000, 'the problem report');
    expect(problems).toEqual(['h264_no_parameter_sets']);
  });
});
