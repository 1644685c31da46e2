/**
 * What a SIP video terminal's main view costs, and how long a terminal waits
 * for a key frame: the gateway's own relay (TerminalVideo + TerminalMainView)
 * on loopback UDP, fed by an ffmpeg that plays the room's producer (testsrc
 * 640×360 at 15 frames/s, as a browser's camera sends it) and read by a UDP
 * socket that plays the terminal.
 *
 *  - forwarded: the producer is H.264 (another terminal); the gateway only
 *    restamps packets. Cost: the gateway's CPU (process.cpuUsage).
 *  - transcoded: the producer is a browser's VP8; one ffmpeg (libx264
 *    ultrafast/zerolatency) turns it into H.264. Cost: that ffmpeg's CPU
 *    (/proc) plus the gateway's relay.
 *
 * Key-frame recovery after a loss at a random instant: the wait for the
 * next IDR at the terminal, from the IDR arrival times (mean over uniform
 * instants = Σ gap² / 2 Σ gap; worst = the largest gap). The transcoder's
 * GOP bounds it; a forwarded stream recovers as fast as its producer answers
 * the relayed PLI (not measured here: the source ffmpeg takes no PLI).
 *
 * Run alone: `node --import tsx --conditions=beacon-source test/bench/sipVideo.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { nalTypes, rtpPayload } from '../../sip-gateway/src/media/h264Nal.ts';
import { TerminalMainView } from '../../sip-gateway/src/media/TerminalMainView.ts';
import { TerminalVideo } from '../../sip-gateway/src/media/TerminalVideo.ts';
import { UdpPeer } from '../../sip-gateway/src/media/udpTesting.ts';
import { ViewTranscoderPool } from '../../sip-gateway/src/media/ViewTranscoderPool.ts';
import { CLOCK_TICKS_PER_SECOND, cpuTimes } from './benchTools.ts';

export interface SipVideoRow {
  mode: 'forwarded' | 'transcoded';
  seconds: number;
  /** 100 = one core. */
  gatewayCpuPercent: number;
  ffmpegCpuPercent: number;
  packetsPerSecondToTerminal: number;
  kbpsToTerminal: number;
  keyFrames: number;
  meanKeyFrameWaitMs: number | null;
  worstKeyFrameWaitMs: number | null;
}

const PT_VP8 = 101;
const PT_H264 = 97;

/** ffmpeg as the room's producer: testsrc encoded to VP8 or H.264 RTP, sent from `fromPort` to `toPort`. */
function producer(codec: 'vp8' | 'h264', toPort: number, fromPort: number): ChildProcess {
  const encoder =
    codec === 'vp8'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '30']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-b:v', '600k'];
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=15'],
    ...encoder,
    ...['-pix_fmt', 'yuv420p', '-payload_type', String(codec === 'vp8' ? PT_VP8 : PT_H264), '-f', 'rtp'],
    `rtp://127.0.0.1:${toPort}?localrtpport=${fromPort}&pkt_size=1200`,
  ];
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function freePort(): Promise<number> {
  const peer = await UdpPeer.open();
  const { port } = peer;
  peer.close();
  return port;
}

export async function runSipVideo(mode: 'forwarded' | 'transcoded', seconds: number): Promise<SipVideoRow> {
  const video = await TerminalVideo.open({ localIp: '127.0.0.1', portRange: null });
  const terminal = await UdpPeer.open();
  const arrivals: { at: number; bytes: number; idr: boolean }[] = [];
  terminal.socket.on('message', (packet) => {
    const payload = rtpPayload(packet);
    arrivals.push({
      at: performance.now(),
      bytes: packet.length,
      idr: payload ? nalTypes(payload).includes(5) : false,
    });
  });
  video.setRemote({
    remote: { ip: '127.0.0.1', port: terminal.port, rtcpPort: terminal.port + 1 },
    rtcpMux: false,
    payloadType: PT_H264,
    profileLevelId: '42e01f',
    bandwidthKbps: 1024,
    remoteDirection: 'sendrecv',
  });
  const view = new TerminalMainView(video, new ViewTranscoderPool());
  const sourcePort = await freePort();
  const source = producer(mode === 'forwarded' ? 'h264' : 'vp8', video.roomSide.localPort, sourcePort);
  try {
    await view.show({
      peerId: 'bench',
      producerId: 'bench',
      codec: mode === 'forwarded' ? 'H264' : 'VP8',
      payloadType: mode === 'forwarded' ? PT_H264 : PT_VP8,
      ssrc: null,
      port: sourcePort,
    });
    // Warm up: the first key frame reaches the terminal (a VP8 source sends one at its start).
    const deadline = Date.now() + 20_000;
    while (!arrivals.some((a) => a.idr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const transcoder = view.transcoderPid;
    const ffmpegStart = transcoder ? await cpuTimes(transcoder) : null;
    const gatewayStart = process.cpuUsage();
    const from = arrivals.length;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wall = (performance.now() - started) / 1000;
    const gateway = process.cpuUsage(gatewayStart);
    const ffmpegEnd = transcoder ? await cpuTimes(transcoder) : null;
    const window = arrivals.slice(from);
    const ffmpegTicks =
      ffmpegStart && ffmpegEnd ? ffmpegEnd.user + ffmpegEnd.system - ffmpegStart.user - ffmpegStart.system : 0;
    const idrTimes = window.filter((a) => a.idr).map((a) => a.at);
    // One IDR spans several packets: a new key frame starts after a gap of more than 100 ms.
    const frames = idrTimes.filter((at, i) => i === 0 || at - (idrTimes[i - 1] ?? 0) > 100);
    const gaps = frames.slice(1).map((at, i) => at - (frames[i] ?? at));
    const sum = gaps.reduce((a, b) => a + b, 0);
    return {
      mode,
      seconds: Math.round(wall),
      gatewayCpuPercent: round(((gateway.user + gateway.system) / 1e6 / wall) * 100),
      ffmpegCpuPercent: round((ffmpegTicks / CLOCK_TICKS_PER_SECOND / wall) * 100),
      packetsPerSecondToTerminal: Math.round(window.length / wall),
      kbpsToTerminal: Math.round((window.reduce((a, b) => a + b.bytes, 0) * 8) / 1000 / wall),
      keyFrames: frames.length,
      meanKeyFrameWaitMs: sum > 0 ? Math.round(gaps.reduce((a, g) => a + g * g, 0) / (2 * sum)) : null,
      worstKeyFrameWaitMs: gaps.length > 0 ? Math.round(Math.max(...gaps)) : null,
    };
  } finally {
    source.kill('SIGKILL');
    if (source.exitCode === null) await once(source, 'exit');
    view.close();
    video.close();
    terminal.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  console.table([await runSipVideo('forwarded', seconds), await runSipVideo('transcoded', seconds)]);
}
