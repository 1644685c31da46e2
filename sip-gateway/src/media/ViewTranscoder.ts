/**
 * The main view turned into H.264 for a video terminal when it is a
 * browser's VP8 (or H.264 larger than the terminal's bandwidth): one ffmpeg
 * reads the RTP (described by an SDP on its
 * stdin), encodes with libx264 for latency (ultrafast, zerolatency, constrained
 * baseline, no B-frames, SPS/PPS before every key frame) at the terminal's
 * bandwidth, and sends RTP H.264 (packetization-mode 1) from a fixed local
 * port back to the gateway, which relays it to the terminal.
 *
 * ffmpeg takes no key-frame requests, but a key frame of its input becomes
 * one of its output (`-force_key_frames source`): a terminal's PLI/FIR or
 * picture_fast_update, passed on to the browser as a PLI, is answered by the
 * browser's next frame rather than at the transcoder's next GOP. A key frame
 * every GOP_SECONDS still bounds the wait when the input sends none. A main
 * view switch starts a new ffmpeg, whose first frame is a key frame.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createLogger } from '../logger.ts';

const logger = createLogger('ViewTranscoder');

const GOP_SECONDS = 2;
const FPS = 15;

export type ViewInputCodec = 'VP8' | 'H264';

/** The input's rtpmap (and fmtp: ffmpeg's RTP demuxer must know H.264's packetization mode). */
function inputFormat(pt: number, codec: ViewInputCodec): string[] {
  if (codec === 'VP8') return [`a=rtpmap:${pt} VP8/90000`];
  return [`a=rtpmap:${pt} H264/90000`, `a=fmtp:${pt} packetization-mode=1`];
}

export interface ViewTranscoderOptions {
  localIp: string;
  /** Where ffmpeg reads the VP8 RTP (the gateway relays the consumer's packets here). */
  inputPort: number;
  inputPayloadType: number;
  /** What arrives: a browser's VP8, or H.264 (mode 1) that must come down to the terminal's bandwidth. Default VP8. */
  inputCodec?: ViewInputCodec;
  /** Where ffmpeg sends H.264 (the terminal's room-side socket), and from which local port. */
  outputPort: number;
  outputLocalPort: number;
  outputPayloadType: number;
  /** The terminal's bandwidth, kbit/s. */
  kbps: number;
  /** ffmpeg binary (default `ffmpeg`). */
  command?: string;
}

export class ViewTranscoder {
  readonly #child: ChildProcess;
  #stderr = '';
  #stopped = false;

  constructor(opts: ViewTranscoderOptions) {
    const sdp = [
      'v=0',
      `o=- 0 0 IN IP4 ${opts.localIp}`,
      's=Beacon main view',
      `c=IN IP4 ${opts.localIp}`,
      't=0 0',
      `m=video ${opts.inputPort} RTP/AVP ${opts.inputPayloadType}`,
      ...inputFormat(opts.inputPayloadType, opts.inputCodec ?? 'VP8'),
      '',
    ].join('\r\n');
    const kbps = Math.max(64, Math.round(opts.kbps * 0.9)); // headroom for RTP/UDP/IP headers
    const target = `rtp://${opts.localIp}:${opts.outputPort}?localrtpport=${opts.outputLocalPort}&pkt_size=1200`;
    const args = [
      ...['-hide_banner', '-loglevel', 'warning'],
      // Probe as little as possible (1 µs; 0 would mean 5 s) and keep what was probed (no `-fflags nobuffer`): the
      // probe may hold the only key frame for a while — a browser answers key-frame requests about once a second —
      // and dropping it held a main-view switch back by another second.
      ...['-protocol_whitelist', 'pipe,udp,rtp', '-flags', 'low_delay'],
      ...['-probesize', '32', '-analyzeduration', '1'],
      ...['-reorder_queue_size', '0', '-f', 'sdp', '-i', 'pipe:0', '-an'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
      ...['-pix_fmt', 'yuv420p', '-r', String(FPS), '-g', String(GOP_SECONDS * FPS), '-bf', '0'],
      ...['-force_key_frames', 'source'],
      ...['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${Math.round(kbps / 2)}k`],
      ...['-bsf:v', 'dump_extra=freq=keyframe', '-payload_type', String(opts.outputPayloadType)],
      ...['-f', 'rtp', target],
    ];
    this.#child = spawn(opts.command ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#child.stdin?.end(sdp);
    this.#child.stdin?.on('error', () => {});
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = `${this.#stderr}${chunk.toString()}`.slice(-2000);
    });
    this.#child.once('error', (err) => logger.warn({ err }, 'ffmpeg could not start: no main view for the terminal'));
    this.#child.once('exit', (code, signal) => {
      if (!this.#stopped) logger.warn({ code, signal, stderr: this.#stderr.trim() }, 'main view transcoder exited');
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    // Nothing to finalise (no file): a live RTP encoder can just go.
    this.#child.kill('SIGKILL');
  }
}
