/**
 * The main view for one SIP video terminal: the camera (or shared screen)
 * the chair's layout puts in the big tile (console/src/conference/mainView.ts)
 * — the spotlight (roll call, polling, a granted speaker, a screen share),
 * else a shared screen, else the active speaker, else the chair — sent as one plain-RTP stream to the terminal's gateway socket.
 *
 * A switch closes the previous stream and opens a plain consumer of the new
 * producer on a fresh hidden pseudo-peer (`view:…`, never a participant):
 * mediasoup asks the producer for a key frame when a consumer starts, so the
 * terminal's decoder picks the new picture up at once. The gateway is told
 * each switch (`phone:view`): it forwards H.264 as is and transcodes VP8.
 * The terminal never gets its own camera back. A forwarded view is held to
 * the terminal's bandwidth (viewRoute.ts): the consumer's preferred simulcast
 * layer is the largest that fits, set before the consumer sends anything, and
 * H.264 that fits in no layer goes to the gateway's transcoder instead.
 */
import { randomUUID } from 'node:crypto';
import type { MediaControl, MediaControlEvents } from '@beacon/media-server';
import type { PhoneView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import { chooseViewRoute } from './viewRoute.ts';

const logger = createLogger('TerminalViewFeed');

export interface TerminalViewFeedOptions {
  room: ConferenceRoom;
  /** The terminal's participant. */
  peerId: string;
  media: MediaControl;
  /** The gateway's room-side socket of this terminal. */
  remote: { ip: string; port: number };
  /** What the terminal can receive, kbit/s (its SDP's b=); null: it did not say, nothing to hold it to. */
  maxKbps: number | null;
  /** Tells the terminal's leg socket (emits `phone:view`). */
  send(view: PhoneView): void;
}

const feeds = new Map<string, TerminalViewFeed>();

export class TerminalViewFeed {
  readonly #opts: TerminalViewFeedOptions;
  #speaker: string | null = null;
  #current: { producerId: string; pseudoPeerId: string } | null = null;
  #switching: Promise<void> = Promise.resolve();
  #closed = false;

  /** Starts (or replaces) the feed of a terminal. */
  static start(opts: TerminalViewFeedOptions): TerminalViewFeed {
    const key = `${opts.room.id}/${opts.peerId}`;
    feeds.get(key)?.close();
    const feed = new TerminalViewFeed(opts);
    feeds.set(key, feed);
    feed.#update();
    return feed;
  }

  private constructor(opts: TerminalViewFeedOptions) {
    this.#opts = opts;
    opts.room.on('statechanged', this.#update);
    opts.room.on('produceradded', this.#update);
    opts.room.on('producerremoved', this.#update);
    opts.room.on('peerleft', this.#onPeerLeft);
    opts.media.on('activespeaker', this.#onSpeaker);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const { room, media } = this.#opts;
    room.off('statechanged', this.#update);
    room.off('produceradded', this.#update);
    room.off('producerremoved', this.#update);
    room.off('peerleft', this.#onPeerLeft);
    media.off('activespeaker', this.#onSpeaker);
    const key = `${room.id}/${this.#opts.peerId}`;
    if (feeds.get(key) === this) feeds.delete(key);
    this.#closeStream();
  }

  readonly #onSpeaker = ({ roomId, peerId }: MediaControlEvents['activespeaker'][0]) => {
    if (roomId !== this.#opts.room.id || peerId === this.#opts.peerId) return;
    this.#speaker = peerId;
    this.#update();
  };

  readonly #onPeerLeft = ({ peerId }: { peerId: string }) => {
    if (peerId === this.#opts.peerId) this.close();
    else this.#update();
  };

  /** The producer the main view shows now, or null (nobody else has video). */
  #target(): { producerId: string; peerId: string } | null {
    const { room, peerId: self } = this.#opts;
    const producers = room.producers().filter((p) => p.kind === 'video' && p.peerId !== self);
    const videoOf = (peerId: string | null | undefined) => {
      if (!peerId) return undefined;
      const own = producers.filter((p) => p.peerId === peerId);
      // A shared screen is what the big tile shows of its presenter.
      return own.find((p) => p.source === 'screen') ?? own.find((p) => p.source === 'camera');
    };
    const pick =
      videoOf(room.mainView.spotlightPeerId) ??
      producers.find((p) => p.source === 'screen') ??
      videoOf(this.#speaker) ??
      videoOf(room.chair()?.peerId) ??
      producers.find((p) => p.source === 'camera');
    return pick ? { producerId: pick.producerId, peerId: pick.peerId } : null;
  }

  readonly #update = () => {
    if (this.#closed) return;
    // Switches run one after another: two at once would leave two streams on the terminal's socket.
    this.#switching = this.#switching
      .then(() => this.#switchTo(this.#target()))
      .catch((err: unknown) => {
        logger.warn({ err, roomId: this.#opts.room.id, peerId: this.#opts.peerId }, 'main view switch failed');
      });
  };

  async #switchTo(target: { producerId: string; peerId: string } | null): Promise<void> {
    if (this.#closed || this.#current?.producerId === (target?.producerId ?? null)) return;
    this.#closeStream();
    if (target === null) {
      this.#opts.send({ peerId: null, producerId: null, codec: null, payloadType: null, ssrc: null, port: null });
      return;
    }
    const { room, media, remote, maxKbps } = this.#opts;
    const pseudoPeerId = `view:${randomUUID()}`;
    const layerKbps = room.producers().find((p) => p.producerId === target.producerId)?.layerKbps;
    // Simulcast to a terminal with a bandwidth: paused until its layer is chosen, so no larger layer goes out first.
    const choosing = (layerKbps?.length ?? 1) > 1 && maxKbps !== null;
    const consumer = await media.createPlainConsumer(room.id, pseudoPeerId, target.producerId, {
      remoteIp: remote.ip,
      remotePort: remote.port,
      paused: choosing,
    });
    if (this.#closed) {
      media.closePeer(room.id, pseudoPeerId);
      return;
    }
    this.#current = { producerId: target.producerId, pseudoPeerId };
    const codec = consumer.rtpParameters.codecs[0];
    const mime = codec?.mimeType.split('/')[1]?.toUpperCase() === 'H264' ? 'H264' : 'VP8';
    const route = chooseViewRoute({ codec: mime, layerKbps }, maxKbps);
    if (choosing) {
      if (route.kind === 'forward' && route.spatialLayer !== null) {
        await media.setConsumerLayers(room.id, pseudoPeerId, consumer.consumerId, { spatialLayer: route.spatialLayer });
      }
      await media.resumeConsumer(room.id, pseudoPeerId, consumer.consumerId);
    }
    this.#opts.send({
      peerId: target.peerId,
      producerId: target.producerId,
      codec: mime,
      payloadType: codec?.payloadType ?? null,
      ssrc: consumer.rtpParameters.encodings?.[0]?.ssrc ?? null,
      port: consumer.localPort,
      ...(mime === 'H264' && route.kind === 'transcode' ? { transcode: true } : {}),
    });
    logger.debug(
      { roomId: room.id, terminal: this.#opts.peerId, shows: target.peerId, codec: mime, route },
      'main view',
    );
  }

  #closeStream(): void {
    const current = this.#current;
    this.#current = null;
    const { room, media } = this.#opts;
    if (current && media.hasRoom(room.id)) media.closePeer(room.id, current.pseudoPeerId);
  }
}
