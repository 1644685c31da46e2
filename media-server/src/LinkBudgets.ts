/**
 * Drives a ReceiveBudget for every receive WebRTC transport of a room: once a
 * second it reads the transport's stats (bits sent), its consumers' loss and
 * what its consumers would take unlimited (each producer stream's bitrate at
 * the layer the receiver asked for), and applies the budget with
 * `setMaxOutgoingBitrate` (0 = unlimited). mediasoup's allocation then
 * decides layers and which video consumers get none, by consumer priority
 * (set from the receiver's layer cap in SimulcastLayers: main view first).
 * While a link is limited, LinkAdmission picks the tiles that get no video
 * at all and keeps that choice steady (they are paused and told so).
 * It keeps the room's SimulcastLayers controllers, since it limits their
 * layers and counts demand at their caps.
 * Each budget change is recorded in the process's LinkMemory under the
 * transport's link key (appData.linkKey, the receiver's user id), and a link
 * limited last time starts from that budget (see linkKeyOf and Room).
 */
import type { types as ms } from 'mediasoup';
import { DownlinkLoss } from './DownlinkLoss.ts';
import { fittingLayer, LinkAdmission } from './LinkAdmission.ts';
import type { LinkMemory } from './LinkMemory.ts';
import {
  firstLayerWhenHeldBack,
  median,
  readSendStreamCounts,
  readStreamBitrates,
  remember,
  type StreamBitrates,
  type VideoDemand,
} from './linkReadings.ts';
import { createLogger } from './logger.ts';
import type { PeerMedia } from './PeerMedia.ts';
import { ReceiveBudget, type ReceiveBudgetOptions } from './ReceiveBudget.ts';
import type { SimulcastLayers } from './SimulcastLayers.ts';

const logger = createLogger('LinkBudgets');

export interface LinkBudgetsOptions {
  /** How often each receive transport is sampled (ms). Default 1000. */
  intervalMs: number;
  budget: Partial<ReceiveBudgetOptions>;
  /**
   * Hold back the tiles that do not fit a limited link steadily (LinkAdmission) instead of leaving the choice to
   * mediasoup's allocation. Default false: in two clean-clone runs a recovered link's held tiles did not all come
   * back within 90 s (the way back depends on mediasoup's estimate, which grows only with what is sent).
   */
  steadyHoldBack: boolean;
}

export interface LinkBudgetsContext {
  roomId: string;
  peers(): Iterable<PeerMedia>;
  producer(producerId: string): ms.Producer | undefined;
  /**
   * A resumed video consumer gets no layer under a limiting budget. mediasoup
   * reports a layer change only from one layer to another (or to none), not a
   * consumer that never got one: this tells the receiver its tile is held back.
   */
  heldBack(peerId: string, consumerId: string): void;
  /** The media-server process's memory of each link's last budget (shared by its rooms). */
  links: LinkMemory;
}

/** The link a receive transport is for (its receiver's user id), when signaling named one. */
export function linkKeyOf(transport: ms.Transport): string | undefined {
  const key = transport.appData.linkKey;
  return typeof key === 'string' ? key : undefined;
}

/** mediasoup refuses a lower limit (bits/s). */
const FLOOR_BITRATE = 30_000;

/** Samples without a layer before a consumer counts as held back (its first key frame may take a moment). */
const HELD_BACK_AFTER_SAMPLES = 2;

/** One receive link's state. */
interface LinkEntry {
  budget: ReceiveBudget;
  loss: DownlinkLoss;
  admission: LinkAdmission;
  /** mediasoup's last bandwidth estimates of the link (bits/s), newest last. */
  estimates: number[];
  bytesReceived: number | null;
  applied: number | null;
  /** The budget last recorded in LinkMemory; undefined: none yet. */
  remembered: number | null | undefined;
}

export class LinkBudgets {
  readonly #context: LinkBudgetsContext;
  readonly #options: LinkBudgetsOptions;
  readonly #budgets = new Map<string, LinkEntry>();
  /** Consumers held back by a link's admission, with their link (transport id). */
  readonly #heldOn = new Map<string, string>();
  /** Layer controllers of the simulcast video consumers, by consumer id. */
  readonly #layers = new Map<string, SimulcastLayers>();
  /** Video consumers without a layer: samples seen so far (-1 once reported held back). */
  readonly #withoutLayer = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(context: LinkBudgetsContext, options: Partial<LinkBudgetsOptions> = {}) {
    this.#context = context;
    this.#options = { intervalMs: 1_000, budget: {}, steadyHoldBack: false, ...options };
  }

  start(): void {
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#budgets.clear();
    this.#withoutLayer.clear();
    this.#layers.clear();
  }

  /** A simulcast consumer's layer controller, kept while the consumer lives. */
  addLayers(consumer: ms.Consumer, layers: SimulcastLayers): void {
    this.#layers.set(consumer.id, layers);
    consumer.observer.once('close', () => this.#layers.delete(consumer.id));
  }

  layersOf(consumerId: string): SimulcastLayers | undefined {
    return this.#layers.get(consumerId);
  }

  /** Paused because its link has no room for it: the receiver's own resume waits until there is. */
  holds(consumerId: string): boolean {
    return this.#heldOn.has(consumerId);
  }

  /** Its receiver paused it (tile hidden): it stays paused whatever room the link gets back. */
  forget(consumerId: string): void {
    const transportId = this.#heldOn.get(consumerId);
    if (transportId === undefined) return;
    this.#heldOn.delete(consumerId);
    this.#budgets.get(transportId)?.admission.forget(consumerId);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#sampleAll()
        .catch((error: unknown) => logger.warn({ roomId: this.#context.roomId, err: error }, 'budget sampling failed'))
        .finally(() => this.#schedule());
    }, this.#options.intervalMs);
    // Sampling must not keep the process alive on shutdown.
    this.#timer.unref();
  }

  async #sampleAll(): Promise<void> {
    const bitrates = new Map<string, Promise<StreamBitrates>>();
    const streamBitrates = (producer: ms.Producer) => {
      let pending = bitrates.get(producer.id);
      if (!pending) {
        pending = readStreamBitrates(producer);
        bitrates.set(producer.id, pending);
      }
      return pending;
    };
    const liveTransports = new Set<string>();
    const liveConsumers = new Set<string>();
    const work: Promise<void>[] = [];
    for (const peer of this.#context.peers()) {
      for (const [transportId, { transport, direction }] of peer.transports) {
        if (direction !== 'recv' || transport.type !== 'webrtc' || transport.closed) continue;
        const consumers = [...peer.consumers.values()].filter((c) => peer.consumerTransport(c.id) === transportId);
        if (!consumers.some((c) => c.kind === 'video')) continue;
        liveTransports.add(transportId);
        for (const consumer of consumers) liveConsumers.add(consumer.id);
        work.push(this.#sampleTransport(peer.peerId, transport as ms.WebRtcTransport, consumers, streamBitrates));
      }
    }
    for (const id of this.#budgets.keys()) if (!liveTransports.has(id)) this.#budgets.delete(id);
    for (const id of this.#withoutLayer.keys()) if (!liveConsumers.has(id)) this.#withoutLayer.delete(id);
    for (const [id, transportId] of this.#heldOn) {
      if (liveConsumers.has(id)) continue;
      this.#heldOn.delete(id);
      this.#budgets.get(transportId)?.admission.forget(id);
    }
    await Promise.all(work);
  }

  async #sampleTransport(
    peerId: string,
    transport: ms.WebRtcTransport,
    consumers: ms.Consumer[],
    streamBitrates: (producer: ms.Producer) => Promise<StreamBitrates>,
  ): Promise<void> {
    let entry = this.#budgets.get(transport.id);
    if (!entry) {
      const budget = new ReceiveBudget(this.#options.budget);
      // Limited last time: from that budget, as Room started the transport (re-read: it may have changed since).
      const start = this.#context.links.startingBudget(linkKeyOf(transport));
      if (start !== null) budget.startFrom(start);
      entry = {
        budget,
        loss: new DownlinkLoss(),
        admission: new LinkAdmission(),
        estimates: [],
        bytesReceived: null,
        applied: null,
        remembered: undefined,
      };
      this.#budgets.set(transport.id, entry);
    }
    const [[stats], counts] = await Promise.all([transport.getStats(), readSendStreamCounts(consumers)]);
    const { demandBitrate, audioBitrate, videos } = await this.#demand(consumers, streamBitrates);
    if (this.#closed || transport.closed || !stats) return;
    // RTCP and transport-cc feedback come back many times a second while the link is up: nothing at all is an outage.
    const heard = entry.bytesReceived === null || stats.bytesReceived !== entry.bytesReceived;
    entry.bytesReceived = stats.bytesReceived;
    const loss = entry.loss.read(counts, heard);
    // Media and retransmissions; not the bandwidth estimator's probing padding.
    const sentBitrate = stats.rtpSendBitrate + stats.rtxSendBitrate;
    const sample = {
      loss,
      sentBitrate,
      demandBitrate,
      audioBitrate,
      firstLayerBitrate: firstLayerWhenHeldBack(consumers, videos, audioBitrate),
    };
    const budget = entry.budget.onSample({ now: Date.now(), ...sample });
    this.#remember(transport, entry, budget);
    // mediasoup shares the limit among the video consumers only; audio flows beside it and must fit too.
    const videoBudget = budget === null ? null : Math.max(FLOOR_BITRATE, budget - audioBitrate);
    const estimate = median(remember(entry.estimates, stats.availableOutgoingBitrate));
    const admitted = this.#admit(peerId, transport.id, entry, consumers, videos, videoBudget, estimate - audioBitrate);
    this.#limitLayers(admitted, videoBudget);
    for (const consumer of consumers) this.#checkHeldBack(peerId, consumer, videoBudget !== null);
    if (videoBudget === entry.applied) return;
    const context = { roomId: this.#context.roomId, peerId, transportId: transport.id, budget, videoBudget };
    if (entry.applied === null || videoBudget === null) {
      const message = videoBudget === null ? 'receive link no longer limited' : 'receive link limited';
      logger.info({ ...context, ...sample }, message);
    } else {
      logger.debug({ ...context, ...sample }, 'receive budget');
    }
    entry.applied = videoBudget;
    await transport.setMaxOutgoingBitrate(videoBudget ?? 0).catch((error: unknown) => {
      // Closed meanwhile (peer left): nothing left to limit.
      if (!transport.closed) throw error;
    });
  }

  /** The link's budget for its next transports, whenever it changes (limited, or lifted: null). */
  #remember(transport: ms.WebRtcTransport, entry: LinkEntry, budget: number | null): void {
    const key = linkKeyOf(transport);
    if (key === undefined || budget === entry.remembered) return;
    entry.remembered = budget;
    this.#context.links.record(key, budget);
  }

  /**
   * While the link is limited: which videos get any room, against the budget
   * or mediasoup's own estimate of the link, whichever is lower (the budget
   * follows loss, the estimate delay; on a township link the estimate is
   * often the lower one, and mediasoup sends no more than it). Held tiles are
   * paused and their receiver told; tiles let back in are resumed. Returns the
   * admitted videos in the order the room goes to them.
   */
  #admit(
    peerId: string,
    transportId: string,
    entry: LinkEntry,
    consumers: ms.Consumer[],
    videos: VideoDemand[],
    videoBudget: number | null,
    estimatedVideoRoom: number,
  ): VideoDemand[] {
    const byId = new Map(consumers.map((c) => [c.id, c]));
    if (videoBudget === null || !this.#options.steadyHoldBack) {
      for (const id of entry.admission.releaseAll()) this.#release(byId.get(id));
      return [...videos].sort((a, b) => b.cap - a.cap);
    }
    const room = estimatedVideoRoom > 0 ? Math.min(videoBudget, estimatedVideoRoom) : videoBudget;
    // A raise is a probe that tiles must use to prove it: during it, held tiles may come back into it even before
    // mediasoup's estimate has grown (the estimator grows only with what is sent).
    const releaseRoom = entry.budget.probing ? videoBudget : room;
    const decision = entry.admission.decide(videos, room, Date.now(), releaseRoom);
    for (const id of decision.release) this.#release(byId.get(id));
    for (const id of decision.hold) {
      const consumer = byId.get(id);
      if (!consumer || consumer.closed) continue;
      this.#heldOn.set(id, transportId);
      logger.info(
        { roomId: this.#context.roomId, peerId, consumerId: id, room },
        'video held back: no room on the link',
      );
      consumer.pause().catch((err: unknown) => {
        if (!consumer.closed) logger.warn({ roomId: this.#context.roomId, consumerId: id, err }, 'hold back failed');
      });
      this.#context.heldBack(peerId, id);
    }
    return decision.admitted;
  }

  #release(consumer: ms.Consumer | undefined): void {
    if (!consumer || !this.#heldOn.delete(consumer.id) || consumer.closed) return;
    consumer.resume().catch((err: unknown) => {
      if (!consumer.closed)
        logger.warn({ roomId: this.#context.roomId, consumerId: consumer.id, err }, 'resume failed');
    });
  }

  /**
   * Shares the video budget out the way mediasoup does — by priority, that is
   * by the layer the receiver asked for, main view first — but in whole
   * layers: each consumer is limited to the highest spatial layer whose full
   * frame rate still fits what is left. Without this mediasoup would send the
   * main view's 640-px layer at a quarter of its frame rate rather than the
   * 320-px one at full rate.
   */
  #limitLayers(videos: VideoDemand[], videoBudget: number | null): void {
    if (videoBudget === null) {
      for (const { consumerId } of videos) this.#limitLayer(consumerId, null);
      return;
    }
    let left = videoBudget;
    for (const video of videos) {
      const layer = fittingLayer(video, left);
      left = Math.max(0, left - (video.streams[layer] ?? 0));
      this.#limitLayer(video.consumerId, layer);
    }
  }

  #limitLayer(consumerId: string, spatialLayer: number | null): void {
    this.#layers
      .get(consumerId)
      ?.setBudgetLimit(spatialLayer)
      .catch((err: unknown) =>
        logger.warn({ roomId: this.#context.roomId, consumerId, err }, 'budget layer limit failed'),
      );
  }

  /** What the consumers would take at the layers their receiver asked for, and the audio part of it. */
  async #demand(
    consumers: ms.Consumer[],
    streamBitrates: (producer: ms.Producer) => Promise<StreamBitrates>,
  ): Promise<{ demandBitrate: number; audioBitrate: number; videos: VideoDemand[] }> {
    let demandBitrate = 0;
    let audioBitrate = 0;
    const videos: VideoDemand[] = [];
    for (const consumer of consumers) {
      // A consumer held back for want of room still wants it: counted, or the budget would never grow for it.
      const pausedByReceiver = consumer.paused && !this.#heldOn.has(consumer.id);
      if (consumer.closed || pausedByReceiver || consumer.producerPaused) continue;
      const producer = this.#context.producer(consumer.producerId);
      if (!producer || producer.closed) continue;
      const streams = await streamBitrates(producer);
      // Counted at the layer the receiver asked for (tile size), not at the one the loss policy allows now:
      // what it would take if the link let it.
      const cap = this.#layers.get(consumer.id)?.cap;
      const layer = cap ?? streams.length - 1;
      const bitrate = streams[Math.min(layer, streams.length - 1)] ?? 0;
      demandBitrate += bitrate;
      if (consumer.kind === 'audio') audioBitrate += bitrate;
      if (consumer.kind === 'video' && cap !== undefined) videos.push({ consumerId: consumer.id, cap, streams });
    }
    return { demandBitrate, audioBitrate, videos };
  }

  /** `limited`: the consumer's transport is under a budget now. */
  #checkHeldBack(peerId: string, consumer: ms.Consumer, limited: boolean): void {
    const starving =
      limited &&
      consumer.kind === 'video' &&
      !consumer.closed &&
      !consumer.paused &&
      !consumer.producerPaused &&
      consumer.currentLayers === undefined;
    if (!starving) {
      this.#withoutLayer.delete(consumer.id);
      return;
    }
    const seen = this.#withoutLayer.get(consumer.id) ?? 0;
    if (seen < 0) return;
    if (seen + 1 < HELD_BACK_AFTER_SAMPLES) {
      this.#withoutLayer.set(consumer.id, seen + 1);
      return;
    }
    this.#withoutLayer.set(consumer.id, -1);
    this.#context.heldBack(peerId, consumer.id);
  }
}
