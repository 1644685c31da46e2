/**
 * What a video terminal receives: the room's main view, as signaling names it
 * (`phone:view`). An H.264 producer (another terminal) is forwarded as is; a
 * VP8 one (a browser) is transcoded by a ViewTranscoder started for it. Each
 * switch asks the new producer for a key frame (mediasoup also does when the
 * consumer starts) and, when transcoding, starts a fresh ffmpeg whose first
 * frame is a key frame.
 */
import type { PhoneView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { TerminalVideo } from './TerminalVideo.ts';
import { bindUdp } from './udpBind.ts';
import { ViewTranscoder } from './ViewTranscoder.ts';

const logger = createLogger('TerminalMainView');

/** When the terminal said nothing (no b= line), this is what it gets, kbit/s. */
const DEFAULT_KBPS = 1024;
/** Key-frame requests, one a second, until the transcoder's first output (then its GOP takes over). */
const KEY_FRAME_RETRIES = 30;

export class TerminalMainView {
  readonly #video: TerminalVideo;
  #transcoder: ViewTranscoder | null = null;
  #retry: NodeJS.Timeout | undefined;
  /** The producer shown and the consumer port it comes from (a restarted feed re-sends the same producer anew). */
  #shown: string | null = null;
  #shownPort: number | null = null;
  #closed = false;

  constructor(video: TerminalVideo) {
    this.#video = video;
  }

  /** How the current view reaches the terminal (for logs, stats and the bench). */
  get mode(): 'forwarded' | 'transcoded' | 'none' {
    if (this.#shown === null) return 'none';
    return this.#transcoder ? 'transcoded' : 'forwarded';
  }

  get transcoderPid(): number | undefined {
    return this.#transcoder?.pid;
  }

  async show(view: PhoneView): Promise<void> {
    if (this.#closed || (view.producerId === this.#shown && view.port === this.#shownPort)) return;
    this.#stopTranscoder();
    this.#shown = view.producerId;
    this.#shownPort = view.port;
    if (view.producerId === null || view.port === null || view.payloadType === null) {
      this.#video.setView(null);
      return;
    }
    if (view.codec === 'H264') {
      this.#video.setView({ port: view.port, ssrc: view.ssrc, relayTo: null, transcodedFrom: null });
      this.#video.requestViewKeyFrame();
      logger.info({ producerId: view.producerId, peerId: view.peerId }, 'terminal main view: forwarded H.264');
      return;
    }
    const [input, output] = await Promise.all([freePort(this.#video.localIp), freePort(this.#video.localIp)]);
    if (this.#closed || this.#shown !== view.producerId) return;
    const room = this.#video.roomSide;
    this.#transcoder = new ViewTranscoder({
      localIp: this.#video.localIp,
      inputPort: input,
      inputPayloadType: view.payloadType,
      outputPort: room.localPort,
      outputLocalPort: output,
      outputPayloadType: this.#video.payloadType ?? 96,
      kbps: Math.min(this.#video.terminalKbps ?? DEFAULT_KBPS, this.#video.receiveKbps),
    });
    this.#video.setView({ port: view.port, ssrc: view.ssrc, relayTo: input, transcodedFrom: output });
    // ffmpeg's decoder needs a VP8 key frame to start, and a browser sends one only when asked: ask now, and
    // every second until ffmpeg's first H.264 reaches the terminal (ffmpeg takes a while to start on a busy host).
    this.#video.requestViewKeyFrame();
    const before = this.#video.packetsOut;
    let tries = 0;
    this.#retry = setInterval(() => {
      tries += 1;
      if (this.#video.packetsOut > before || tries > KEY_FRAME_RETRIES) this.#stopRetry();
      else this.#video.requestViewKeyFrame();
    }, 1000);
    this.#retry.unref();
    logger.info({ producerId: view.producerId, peerId: view.peerId }, 'terminal main view: VP8 transcoded to H.264');
  }

  close(): void {
    this.#closed = true;
    this.#stopTranscoder();
  }

  #stopTranscoder(): void {
    this.#stopRetry();
    this.#transcoder?.stop();
    this.#transcoder = null;
  }

  #stopRetry(): void {
    clearInterval(this.#retry);
    this.#retry = undefined;
  }
}

/** A UDP port free right now (bound and released): ffmpeg binds it itself a moment later. */
async function freePort(ip: string): Promise<number> {
  const socket = await bindUdp(ip, null);
  const { port } = socket.address();
  socket.close();
  return port;
}
