/**
 * One ffmpeg per transcoded main view (VP8, or H.264 above a terminal's
 * bandwidth), however many terminals watch it: the
 * terminals of a room all show the same main view, so they share its
 * transcoder. ffmpeg's H.264 goes to a hub socket that copies each packet to
 * every watching terminal's room-side socket (each TerminalVideo restamps it
 * to its terminal's payload type and SSRC). Every terminal has its own plain
 * consumer of the view; only one of them — the feeder — passes its packets
 * to ffmpeg, and when the feeder leaves another takes over. The bit rate is
 * the smallest the watchers asked for when the transcoder started.
 */
import type { Socket } from 'node:dgram';
import { createLogger } from '../logger.ts';
import type { TerminalVideo } from './TerminalVideo.ts';
import { bindUdp } from './udpBind.ts';
import { type ViewInputCodec, ViewTranscoder } from './ViewTranscoder.ts';

const logger = createLogger('ViewTranscoderPool');

/**
 * Key-frame requests until the transcoder's first output (then its GOP and the input's key frames take over),
 * for up to 30 s. The first key frame usually comes before the new ffmpeg listens and is lost; the browser
 * answers requests about once a second however often they come, so asking often only makes sure the next
 * answer is not also waiting for our timer.
 */
const KEY_FRAME_RETRY_MS = 200;
const KEY_FRAME_RETRIES = 150;
/** The payload type ffmpeg sends; each terminal's relay restamps it. */
const OUTPUT_PT = 96;

export interface ViewWatcher {
  video: TerminalVideo;
  /** The watcher's own consumer of the view: where its packets come from, and its SSRC. */
  consumerPort: number;
  ssrc: number | null;
  kbps: number;
}

class SharedTranscode {
  readonly #watchers = new Map<TerminalVideo, ViewWatcher>();
  readonly #hub: Socket;
  readonly #inputPort: number;
  readonly #outputLocalPort: number;
  readonly #transcoder: ViewTranscoder;
  #feeder: TerminalVideo | null = null;
  #sawOutput = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    hub: Socket,
    inputPort: number,
    outputLocalPort: number,
    input: { payloadType: number; codec: ViewInputCodec },
    first: ViewWatcher,
  ) {
    this.#hub = hub;
    this.#inputPort = inputPort;
    this.#outputLocalPort = outputLocalPort;
    const localIp = first.video.localIp;
    this.#transcoder = new ViewTranscoder({
      localIp,
      inputPort,
      inputPayloadType: input.payloadType,
      inputCodec: input.codec,
      outputPort: hub.address().port,
      outputLocalPort,
      outputPayloadType: OUTPUT_PT,
      kbps: first.kbps,
    });
    hub.on('message', (packet, from) => {
      if (from.port !== this.#outputLocalPort) return;
      this.#sawOutput = true;
      for (const video of this.#watchers.keys()) hub.send(packet, video.roomSide.localPort, video.localIp);
    });
    hub.on('error', (err) => logger.debug({ err }, 'hub socket error'));
    this.add(first);
    // ffmpeg's decoder needs a key frame to start, and a browser or terminal sends one only when asked: ask now, and
    // every second until ffmpeg's first H.264 (ffmpeg takes a while to start on a busy host).
    let tries = 0;
    this.#retry = setInterval(() => {
      tries += 1;
      if (this.#sawOutput || tries > KEY_FRAME_RETRIES) clearInterval(this.#retry);
      else this.#feeder?.requestViewKeyFrame();
    }, KEY_FRAME_RETRY_MS);
    this.#retry.unref();
  }

  get pid(): number | undefined {
    return this.#transcoder.pid;
  }

  get size(): number {
    return this.#watchers.size;
  }

  add(watcher: ViewWatcher): void {
    this.#watchers.set(watcher.video, watcher);
    if (this.#feeder === null) this.#feeder = watcher.video;
    this.#wire(watcher);
    // A new watcher needs a key frame; the transcoder's GOP brings the next one (it takes no requests).
    this.#feeder.requestViewKeyFrame();
  }

  remove(video: TerminalVideo): void {
    this.#watchers.delete(video);
    if (this.#feeder !== video) return;
    const next = this.#watchers.values().next();
    this.#feeder = next.done ? null : next.value.video;
    if (!next.done) this.#wire(next.value);
  }

  stop(): void {
    clearInterval(this.#retry);
    this.#transcoder.stop();
    this.#hub.close();
  }

  #wire(watcher: ViewWatcher): void {
    watcher.video.setView({
      port: watcher.consumerPort,
      ssrc: watcher.ssrc,
      relayTo: watcher.video === this.#feeder ? this.#inputPort : null,
      transcodedFrom: this.#hub.address().port,
    });
  }
}

export class ViewTranscoderPool {
  readonly #shared = new Map<string, Promise<SharedTranscode>>();

  /** Transcoders running now (one per VP8 main view being watched). */
  get size(): number {
    return this.#shared.size;
  }

  /**
   * Starts watching `producerId` (a view in `codec` with `payloadType`: VP8, or H.264 too large to forward),
   * sharing its transcoder; returns its ffmpeg pid.
   */
  async watch(
    producerId: string,
    payloadType: number,
    codec: ViewInputCodec,
    watcher: ViewWatcher,
  ): Promise<number | undefined> {
    const existing = this.#shared.get(producerId);
    if (existing) {
      const shared = await existing;
      shared.add(watcher);
      return shared.pid;
    }
    const created = (async () => {
      const hub = await bindUdp(watcher.video.localIp, null);
      const [input, output] = await Promise.all([freePort(watcher.video.localIp), freePort(watcher.video.localIp)]);
      return new SharedTranscode(hub, input, output, { payloadType, codec }, watcher);
    })();
    this.#shared.set(producerId, created);
    const shared = await created;
    logger.info({ producerId, pid: shared.pid }, 'main view transcoder started');
    return shared.pid;
  }

  async unwatch(producerId: string, video: TerminalVideo): Promise<void> {
    const pending = this.#shared.get(producerId);
    if (!pending) return;
    const shared = await pending;
    shared.remove(video);
    if (shared.size > 0 || this.#shared.get(producerId) !== pending) return;
    this.#shared.delete(producerId);
    shared.stop();
    logger.info({ producerId }, 'main view transcoder stopped (no terminal watches it)');
  }

  stopAll(): void {
    for (const pending of this.#shared.values()) void pending.then((shared) => shared.stop());
    this.#shared.clear();
  }
}

/** A UDP port free right now (bound and released): ffmpeg binds it itself a moment later. */
async function freePort(ip: string): Promise<number> {
  const socket = await bindUdp(ip, null);
  const { port } = socket.address();
  socket.close();
  return port;
}
