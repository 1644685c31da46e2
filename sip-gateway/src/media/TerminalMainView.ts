/**
 * What a video terminal receives: the room's main view, as signaling names it
 * (`phone:view`). An H.264 producer (another terminal) is forwarded as is; a
 * VP8 one (a browser) goes through the room's shared transcoder for that view
 * (ViewTranscoderPool: one ffmpeg per view, whoever watches it), and so does
 * H.264 that signaling found too large for the terminal's b= in every layer
 * (`transcode`, signaling/src/sip/viewRoute.ts). A switch
 * asks the new producer for a key frame (mediasoup also does when the
 * consumer starts); a new transcoder's first frame is one.
 */
import type { PhoneView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { TerminalVideo } from './TerminalVideo.ts';
import type { ViewTranscoderPool } from './ViewTranscoderPool.ts';

const logger = createLogger('TerminalMainView');

/** When the terminal said nothing (no b= line), this is what it gets, kbit/s. */
const DEFAULT_KBPS = 1024;

export class TerminalMainView {
  readonly #video: TerminalVideo;
  readonly #pool: ViewTranscoderPool;
  /** The producer shown and the consumer port it comes from (a restarted feed re-sends the same producer anew). */
  #shown: string | null = null;
  #shownPort: number | null = null;
  /** The VP8 view this terminal watches through the pool, and that transcoder's pid. */
  #transcoded: { producerId: string; pid: number | undefined } | null = null;
  #closed = false;

  constructor(video: TerminalVideo, pool: ViewTranscoderPool) {
    this.#video = video;
    this.#pool = pool;
  }

  /** How the current view reaches the terminal (for logs, stats and the bench). */
  get mode(): 'forwarded' | 'transcoded' | 'none' {
    if (this.#shown === null) return 'none';
    return this.#transcoded ? 'transcoded' : 'forwarded';
  }

  get transcoderPid(): number | undefined {
    return this.#transcoded?.pid;
  }

  async show(view: PhoneView): Promise<void> {
    if (this.#closed || (view.producerId === this.#shown && view.port === this.#shownPort)) return;
    await this.#unwatch();
    this.#shown = view.producerId;
    this.#shownPort = view.port;
    if (view.producerId === null || view.port === null || view.payloadType === null) {
      this.#video.setView(null);
      return;
    }
    if (view.codec === 'H264' && view.transcode !== true) {
      this.#video.setView({ port: view.port, ssrc: view.ssrc, relayTo: null, transcodedFrom: null });
      this.#video.requestViewKeyFrame();
      logger.info({ producerId: view.producerId, peerId: view.peerId }, 'terminal main view: forwarded H.264');
      return;
    }
    const watched = { producerId: view.producerId, pid: undefined as number | undefined };
    this.#transcoded = watched;
    const codec = view.codec === 'H264' ? 'H264' : 'VP8';
    watched.pid = await this.#pool.watch(view.producerId, view.payloadType, codec, {
      video: this.#video,
      consumerPort: view.port,
      ssrc: view.ssrc,
      kbps: Math.min(this.#video.terminalKbps ?? DEFAULT_KBPS, this.#video.receiveKbps),
    });
    if (this.#closed || this.#transcoded !== watched) {
      // Switched or hung up while the transcoder started.
      await this.#pool.unwatch(watched.producerId, this.#video);
      return;
    }
    logger.info({ producerId: view.producerId, peerId: view.peerId, codec }, 'terminal main view: transcoded to H.264');
  }

  close(): void {
    this.#closed = true;
    void this.#unwatch();
  }

  async #unwatch(): Promise<void> {
    const watched = this.#transcoded;
    this.#transcoded = null;
    if (watched) await this.#pool.unwatch(watched.producerId, this.#video);
  }
}
