/**
 * Drives a ReceiveBudget for every receive WebRTC transport of a room: once a
 * second it reads the transport's stats (bits sent), its consumers' loss and
 * what its consumers would take unlimited (each producer stream's bitrate at
 * the layer the receiver asked for), and applies the budget with
 * `setMaxOutgoingBitrate` (0 = unlimited). mediasoup's allocation then
 * decides layers and which video consumers get none, by consumer priority
 * (set from the receiver's layer cap in SimulcastLayers: main view first).
 * It keeps the room's SimulcastLayers controllers, since it limits their
 * layers and counts demand at their caps.
 */
import type { types as ms } from 'mediasoup';
import { DownlinkLoss, type SendStreamCounts } from './DownlinkLoss.ts';
import { createLogger } from './logger.ts';
import type { PeerMedia } from './PeerMedia.ts';
import { ReceiveBudget, type ReceiveBudgetOptions } from './ReceiveBudget.ts';
import type { SimulcastLayers } from './SimulcastLayers.ts';

const logger = createLogger('LinkBudgets');

export interface LinkBudgetsOptions {
  /** How often each receive transport is sampled (ms). Default 1000. */
  intervalMs: number;
  budget: Partial<ReceiveBudgetOptions>;
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
}

/** mediasoup refuses a lower limit (bits/s). */
const FLOOR_BITRATE = 30_000;

/** Samples without a layer before a consumer counts as held back (its first key frame may take a moment). */
const HELD_BACK_AFTER_SAMPLES = 2;

/** Bits/s of each stream of a producer, by encoding index (0 for a single stream). */
type StreamBitrates = number[];

/** A simulcast video consumer: the layer its receiver asked for and its producer's stream bitrates. */
interface VideoDemand {
  consumerId: string;
  cap: number;
  streams: StreamBitrates;
}

export class LinkBudgets {
  readonly #context: LinkBudgetsContext;
  readonly #options: LinkBudgetsOptions;
  readonly #budgets = new Map<
    string,
    { budget: ReceiveBudget; loss: DownlinkLoss; bytesReceived: number | null; applied: number | null }
  >();
  /** Layer controllers of the simulcast video consumers, by consumer id. */
  readonly #layers = new Map<string, SimulcastLayers>();
  /** Video consumers without a layer: samples seen so far (-1 once reported held back). */
  readonly #withoutLayer = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(context: LinkBudgetsContext, options: Partial<LinkBudgetsOptions> = {}) {
    this.#context = context;
    this.#options = { intervalMs: 1_000, budget: {}, ...options };
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
      entry = {
        budget: new ReceiveBudget(this.#options.budget),
        loss: new DownlinkLoss(),
        bytesReceived: null,
        applied: null,
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
    // mediasoup shares the limit among the video consumers only; audio flows beside it and must fit too.
    const videoBudget = budget === null ? null : Math.max(FLOOR_BITRATE, budget - audioBitrate);
    this.#limitLayers(videos, videoBudget);
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
    for (const { consumerId, cap, streams } of [...videos].sort((a, b) => b.cap - a.cap)) {
      let layer = 0;
      for (let l = Math.min(cap, streams.length - 1); l >= 0; l--) {
        const bitrate = streams[l] ?? 0;
        if (bitrate > 0 && bitrate <= left) {
          layer = l;
          break;
        }
      }
      left = Math.max(0, left - (streams[layer] ?? 0));
      this.#limitLayer(consumerId, layer);
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
      if (consumer.closed || consumer.paused || consumer.producerPaused) continue;
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

/**
 * A producer's bitrate per encoding. A simulcast stream's bitrate includes
 * all its temporal layers: the demand of a consumer preferring that layer.
 */
async function readStreamBitrates(producer: ms.Producer): Promise<StreamBitrates> {
  if (producer.closed) return [];
  const stats = await producer.getStats().catch(() => []);
  const encodings = producer.rtpParameters.encodings ?? [];
  if (encodings.length <= 1) return [stats.reduce((sum, s) => sum + (s.bitrate ?? 0), 0)];
  return encodings.map((encoding) => {
    const stream = stats.find(
      (s) =>
        (encoding.rid !== undefined && s.rid === encoding.rid) ||
        (encoding.ssrc !== undefined && s.ssrc === encoding.ssrc),
    );
    return stream?.bitrate ?? 0;
  });
}

/**
 * While no video consumer of this receiver gets any layer: the audio plus the lowest layer of the video first
 * in line (highest asked-for layer, as #limitLayers shares the budget). Undefined while some video flows.
 */
function firstLayerWhenHeldBack(
  consumers: ms.Consumer[],
  videos: VideoDemand[],
  audioBitrate: number,
): number | undefined {
  // A single-stream video has no layers to report: counted as getting through.
  const flowing = consumers.some(
    (c) =>
      c.kind === 'video' &&
      !c.closed &&
      !c.paused &&
      !c.producerPaused &&
      (c.currentLayers !== undefined || (c.type !== 'simulcast' && c.type !== 'svc')),
  );
  if (flowing) return undefined;
  const first = [...videos].sort((a, b) => b.cap - a.cap).find((v) => (v.streams[0] ?? 0) > 0);
  return first ? audioBitrate + (first.streams[0] as number) : undefined;
}

/** Packets sent and lost (the receiver's count) on each live send stream (see DownlinkLoss). */
async function readSendStreamCounts(consumers: ms.Consumer[]): Promise<SendStreamCounts[]> {
  const live = consumers.filter((c) => !c.closed && !c.paused && !c.producerPaused);
  const all = await Promise.all(live.map((c) => c.getStats().catch(() => [])));
  return all.flatMap((stats) =>
    stats
      .filter((stat) => stat.type === 'outbound-rtp')
      .map(({ ssrc, packetCount, packetsLost, fractionLost, roundTripTime }) => ({
        ssrc,
        packetCount,
        packetsLost,
        fractionLost,
        roundTripTime,
      })),
  );
}
