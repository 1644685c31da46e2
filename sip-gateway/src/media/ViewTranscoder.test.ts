/**
 * The transcoder with H.264 coming in: a main view forwarded from another
 * terminal that fits none of its layers into a terminal's b= is re-encoded
 * at that bandwidth. Real ffmpeg both ways: one sends H.264 RTP as a terminal
 * would, the transcoder's output must be H.264 a decoder can start from.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { NAL_IDR, NAL_SPS, nalTypes, rtpPayload } from './h264Nal.ts';
import { parseRtp } from './rtp.ts';
import { bindUdp } from './udpBind.ts';
import { UdpPeer, waitUntil } from './udpTesting.ts';
import { ViewTranscoder } from './ViewTranscoder.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

async function freePort(): Promise<number> {
  const socket = await bindUdp('127.0.0.1', null);
  const { port } = socket.address();
  socket.close();
  return port;
}

describe('ViewTranscoder', () => {
  it('re-encodes an H.264 view (mode 1) into H.264 with SPS at its key frames', async () => {
    const terminal = await UdpPeer.open();
    cleanup.push(() => terminal.close());
    const inputPort = await freePort();
    const transcoder = new ViewTranscoder({
      localIp: '127.0.0.1',
      inputPort,
      inputPayloadType: 97,
      inputCodec: 'H264',
      outputPort: terminal.port,
      outputLocalPort: await freePort(),
      outputPayloadType: 96,
      kbps: 300,
    });
    cleanup.push(() => transcoder.stop());
    // Another terminal's camera: 1.5 Mbit/s H.264 with its parameter sets at each key frame, sent for as long as needed.
    const sender: ChildProcess = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=15'],
        ...['-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15'],
        ...['-b:v', '1500k', '-bsf:v', 'dump_extra=freq=keyframe', '-payload_type', '97'],
        ...['-f', 'rtp', `rtp://127.0.0.1:${inputPort}?pkt_size=1200`],
      ],
      { stdio: 'ignore' },
    );
    cleanup.push(() => sender.kill('SIGKILL'));
    const seen = new Set<number>();
    await waitUntil(
      () => {
        for (const packet of terminal.received.splice(0)) {
          if (parseRtp(packet)?.payloadType !== 96) continue;
          for (const type of nalTypes(rtpPayload(packet) ?? Buffer.alloc(0))) seen.add(type);
        }
        return seen.has(NAL_SPS) && seen.has(NAL_IDR);
      },
      30_000,
      'H.264 key frame with SPS from the transcoder',
    );
    expect([...seen]).toEqual(expect.arrayContaining([NAL_SPS, NAL_IDR]));
  }, 40_000);

  it('answers a key frame of its input with a key frame: a terminal’s PLI, passed on to the browser, needs no GOP wait', async () => {
    const terminal = await UdpPeer.open();
    cleanup.push(() => terminal.close());
    const inputPort = await freePort();
    const transcoder = new ViewTranscoder({
      localIp: '127.0.0.1',
      inputPort,
      inputPayloadType: 101,
      outputPort: terminal.port,
      outputLocalPort: await freePort(),
      outputPayloadType: 96,
      kbps: 500,
    });
    cleanup.push(() => transcoder.stop());
    // A browser's VP8 answering a key-frame request every third of a second (its own encoder sends none unasked).
    const sender: ChildProcess = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'],
        ...['-t', '60', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '5', '-b:v', '300k'],
        ...['-payload_type', '101', '-f', 'rtp', `rtp://127.0.0.1:${inputPort}?pkt_size=1200`],
      ],
      { stdio: 'ignore' },
    );
    cleanup.push(() => sender.kill('SIGKILL'));
    // Key frames out, by RTP timestamp (one picture spans several packets), over 3 s of output after the first.
    const keyFrames = new Set<number>();
    let first: number | null = null;
    await waitUntil(
      () => {
        for (const packet of terminal.received.splice(0)) {
          if (parseRtp(packet)?.payloadType !== 96) continue;
          if (!nalTypes(rtpPayload(packet) ?? Buffer.alloc(0)).includes(NAL_IDR)) continue;
          first ??= Date.now();
          keyFrames.add(packet.readUInt32BE(4));
        }
        return first !== null && Date.now() - first >= 3_000;
      },
      40_000,
      '3 s of the transcoder’s output',
    );
    // A 2 s GOP alone would give 2; the input's key frames (9 in 3 s) give about one each.
    expect(keyFrames.size).toBeGreaterThanOrEqual(5);
  }, 50_000);
});
