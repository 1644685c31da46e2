import { TypedEmitter } from '@beacon/common';
import type { types as ms } from 'mediasoup';
import { ActiveSpeaker } from './ActiveSpeaker.ts';
import { watchConsumer } from './consumerEvents.ts';
import { LinkBudgets } from './LinkBudgets.ts';
import type { LinkMemory } from './LinkMemory.ts';
import { createLogger } from './logger.ts';
import type {
  ConsumerInfo,
  ConsumerLayers,
  MediaControlEvents,
  MediaKind,
  ProducerInfo,
  TransportDirection,
  WebRtcTransportInfo,
  WebRtcTransportOptions,
} from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import { MEDIA_CODECS } from './mediaCodecs.ts';
import { countPeers, PeerMedia, producerInfo, type RoomCounts } from './PeerMedia.ts';
import type { WorkerSlot } from './WorkerPool.ts';

const logger = createLogger('Room');

export type RoomEvents = Pick<
  MediaControlEvents,
  'consumerclosed' | 'consumerpaused' | 'consumerresumed' | 'consumerlayers' | 'activespeaker' | 'keyframerequest'
> & {
  /** A producer was created, closed, paused or resumed (for the recorder; not a MediaControl event). */
  producerschange: [];
};

export type { RoomCounts };

/**
 * One conference on one router. Tracks which peer owns which transport,
 * producer and consumer, and reports consumer changes and the active speaker.
 */
export class Room extends TypedEmitter<RoomEvents> {
  readonly id: string;
  /** Index of the pool worker hosting the router. */
  readonly workerIndex: number;
  readonly #router: ms.Router;
  readonly #webRtcServer: ms.WebRtcServer;
  #speaker!: ActiveSpeaker;
  readonly #peers = new Map<string, PeerMedia>();
  /** Every live producer of the room with the peer that owns it. */
  readonly #producers = new Map<string, { producer: ms.Producer; peerId: string }>();
  /** Each receiver's link budget (weak township links: what fits, main view first) and the consumers' layers. */
  readonly #budgets: LinkBudgets;
  readonly #links: LinkMemory;
  #closed = false;

  private constructor(id: string, slot: WorkerSlot, router: ms.Router, links: LinkMemory) {
    super();
    this.id = id;
    this.workerIndex = slot.index;
    this.#router = router;
    this.#webRtcServer = slot.webRtcServer;
    this.#links = links;
    this.#budgets = new LinkBudgets({
      links,
      roomId: id,
      peers: () => this.#peers.values(),
      producer: (producerId) => this.#producers.get(producerId)?.producer,
      heldBack: (peerId, consumerId) =>
        this.safeEmit('consumerlayers', { roomId: id, peerId, consumerId, spatialLayer: null, temporalLayer: null }),
    });
  }

  /** `links`: the process's memory of each receive link's last budget, shared by its rooms. */
  static async create(roomId: string, slot: WorkerSlot, links: LinkMemory): Promise<Room> {
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId } });
    try {
      const room = new Room(roomId, slot, router, links);
      room.#speaker = await ActiveSpeaker.create(router, (producerId) => room.#announceSpeaker(producerId));
      room.#budgets.start();
      logger.info({ roomId, worker: slot.index, pid: slot.worker.pid }, 'room created');
      return room;
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** True once closed on request or when the worker under the router died. */
  get closed(): boolean {
    return this.#closed || this.#router.closed;
  }

  counts(): RoomCounts {
    return countPeers(this.#peers.values());
  }

  /**
   * A receive transport for a link limited last time (`options.linkKey`, see
   * LinkMemory) starts at that budget and limited to it, so the first
   * consumers get the layer that fits (LinkBudgets goes on from there);
   * any other starts at 1 Mbit/s, unlimited.
   */
  async createWebRtcTransport(
    peerId: string,
    direction: TransportDirection,
    options: WebRtcTransportOptions = {},
  ): Promise<WebRtcTransportInfo> {
    const peer = this.#peerOrCreate(peerId);
    const linkKey = direction === 'recv' ? options.linkKey : undefined;
    const startingBudget = this.#links.startingBudget(linkKey);
    const transport = await this.#router.createWebRtcTransport({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#links.initialBitrate(linkKey),
      ...(startingBudget === null ? {} : { maxOutgoingBitrate: startingBudget }),
      appData: linkKey === undefined ? {} : { linkKey },
    });
    this.#adoptTransport(peer, transport, direction);
    if (startingBudget !== null) {
      logger.info(
        { roomId: this.id, peerId, transportId: transport.id, budget: startingBudget },
        'receive link starts at its last budget',
      );
    }
    return {
      id: transport.id,
      direction,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** A plain RTP transport (recording, SIP gateway, tests); see plainRtp.ts. */
  async createPlainTransport(
    peerId: string,
    direction: TransportDirection,
    options: ms.PlainTransportOptions,
  ): Promise<ms.PlainTransport> {
    const peer = this.#peerOrCreate(peerId);
    const transport = await this.#router.createPlainTransport(options);
    this.#adoptTransport(peer, transport, direction);
    return transport;
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    await this.#peer(peerId).webRtcTransport(transportId).connect({ dtlsParameters });
  }

  async produce(
    peerId: string,
    input: {
      transportId: string;
      kind: MediaKind;
      rtpParameters: ms.RtpParameters;
      appData: Record<string, unknown>;
      /** Report mediasoup's key frame requests to the sender as `keyframerequest` (plain senders that read no RTCP). */
      keyFrameRequests?: boolean;
    },
  ): Promise<ProducerInfo> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(input.transportId, 'send');
    const producer = await transport.produce({
      kind: input.kind,
      rtpParameters: input.rtpParameters,
      appData: input.appData,
    });
    peer.addProducer(producer);
    await this.#registerProducer(producer, peerId);
    if (input.keyFrameRequests) {
      // mediasoup traces the PLI/FIR it sends whether or not the transport can deliver it (a comedia
      // transport that never heard RTCP cannot): the event is how such a sender still hears the request.
      await producer.enableTraceEvent(['pli', 'fir']);
      producer.on('trace', (trace) => {
        if (trace.type !== 'pli' && trace.type !== 'fir') return;
        this.safeEmit('keyframerequest', { roomId: this.id, peerId, producerId: producer.id, type: trace.type });
      });
    }
    logger.debug({ roomId: this.id, peerId, producerId: producer.id, kind: producer.kind }, 'producer created');
    return producerInfo(producer, peerId);
  }

  /**
   * A pipe transport toward the same room on another media node (cascade,
   * see cascade/PipeHub.ts). Owned by the caller, not by a peer: closing the
   * room closes it with the router.
   */
  async createPipeTransport(options: ms.PipeTransportOptions): Promise<ms.PipeTransport> {
    if (this.closed) throw new MediaError('invalid_state', `room "${this.id}" is closed`);
    return this.#router.createPipeTransport(options);
  }

  /**
   * A producer that arrived through a pipe from another node: consumable here
   * as if `peerId` (a peer of that node) had produced it in this room.
   */
  async adoptPipedProducer(producer: ms.Producer, peerId: string): Promise<void> {
    if (this.closed) throw new MediaError('invalid_state', `room "${this.id}" is closed`);
    await this.#registerProducer(producer, peerId);
  }

  async pauseProducer(peerId: string, producerId: string): Promise<void> {
    await this.#peer(peerId).producer(producerId).pause();
  }

  async resumeProducer(peerId: string, producerId: string): Promise<void> {
    await this.#peer(peerId).producer(producerId).resume();
  }

  closeProducer(peerId: string, producerId: string): void {
    this.#peer(peerId).producer(producerId).close();
  }

  /** The peer of the loudest audio producer, null when nobody has spoken (or the speaker left). */
  get activeSpeakerPeerId(): string | null {
    const producerId = this.#speaker.dominantProducerId;
    return producerId === null ? null : (this.#producers.get(producerId)?.peerId ?? null);
  }

  listProducers(): ProducerInfo[] {
    return [...this.#producers.values()].map(({ producer, peerId }) => producerInfo(producer, peerId));
  }

  /** A paused consumer, or null when `rtpCapabilities` cannot receive the producer's codec. */
  async consume(
    peerId: string,
    input: { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities },
  ): Promise<ConsumerInfo | null> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(input.transportId, 'recv');
    const owner = this.#producers.get(input.producerId);
    if (!owner) throw MediaError.producerNotFound(input.producerId);
    if (!Array.isArray(input.rtpCapabilities?.codecs)) {
      throw new MediaError('cannot_consume', 'rtpCapabilities.codecs must be an array');
    }
    if (!this.#router.canConsume({ producerId: input.producerId, rtpCapabilities: input.rtpCapabilities })) return null;

    const { producer } = owner;
    // Highest simulcast layer until the receiver caps it or its link loses packets (LayerPolicy).
    const maxLayer = Math.max(0, (producer.rtpParameters.encodings?.length ?? 1) - 1);
    const preferredLayers = producer.type === 'simulcast' ? { spatialLayer: maxLayer } : undefined;
    let consumer: ms.Consumer;
    try {
      consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: input.rtpCapabilities,
        paused: true,
        ...(preferredLayers ? { preferredLayers } : {}),
      });
    } catch (error) {
      if (error instanceof TypeError) throw new MediaError('cannot_consume', error.message, { cause: error });
      throw error;
    }
    this.#trackConsumer(peer, consumer, transport.id, maxLayer);
    return {
      id: consumer.id,
      producerId: producer.id,
      producerPeerId: owner.peerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      appData: { ...producer.appData },
    };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peer(peerId).consumer(consumerId);
    // Held back for want of room on the receiver's link: it resumes when the link has room (LinkBudgets).
    if (this.#budgets.holds(consumerId)) return;
    await consumer.resume();
  }

  async pauseConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peer(peerId).consumer(consumerId);
    this.#budgets.forget(consumerId);
    await consumer.pause();
  }

  /** No-op for consumers without a layer controller (audio, single-stream video). */
  async setConsumerLayers(peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    this.#peer(peerId).consumer(consumerId);
    await this.#budgets.layersOf(consumerId)?.setCap(layers);
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.#peer(peerId).webRtcTransport(transportId).restartIce();
  }

  /** For stats sampling (bench, diagnostics). */
  consumer(peerId: string, consumerId: string): ms.Consumer {
    return this.#peer(peerId).consumer(consumerId);
  }

  /** For stats sampling (tests, diagnostics). */
  webRtcTransport(peerId: string, transportId: string): ms.WebRtcTransport {
    return this.#peer(peerId).webRtcTransport(transportId);
  }

  /** Idempotent: a peer without media is simply not there. */
  closePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    peer.close();
    logger.debug({ roomId: this.id, peerId }, 'peer media closed');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#budgets.close();
    this.#router.close();
    this.#peers.clear();
    this.#producers.clear();
    this.removeAllListeners();
    logger.info({ roomId: this.id }, 'room closed');
  }

  async #registerProducer(producer: ms.Producer, peerId: string): Promise<void> {
    this.#producers.set(producer.id, { producer, peerId });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.closed) this.safeEmit('producerschange');
    });
    producer.observer.on('pause', () => this.safeEmit('producerschange'));
    producer.observer.on('resume', () => this.safeEmit('producerschange'));
    if (producer.kind === 'audio') await this.#speaker.add(producer, this.id);
    this.safeEmit('producerschange');
  }

  #peer(peerId: string): PeerMedia {
    if (this.closed) throw new MediaError('invalid_state', `room "${this.id}" is closed`);
    const peer = this.#peers.get(peerId);
    if (!peer) throw MediaError.peerNotFound(peerId);
    return peer;
  }

  #peerOrCreate(peerId: string): PeerMedia {
    if (this.closed) throw new MediaError('invalid_state', `room "${this.id}" is closed`);
    let peer = this.#peers.get(peerId);
    if (!peer) {
      peer = new PeerMedia(peerId);
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  #adoptTransport(peer: PeerMedia, transport: ms.Transport, direction: TransportDirection): void {
    // The peer (or room) may have closed while the worker was creating the transport.
    if (this.closed || this.#peers.get(peer.peerId) !== peer) {
      transport.close();
      throw new MediaError('invalid_state', `peer "${peer.peerId}" left while its transport was being created`);
    }
    peer.addTransport(transport, direction);
  }

  #trackConsumer(peer: PeerMedia, consumer: ms.Consumer, transportId: string, maxLayer: number): void {
    peer.addConsumer(consumer, transportId);
    const layers = watchConsumer(consumer, {
      roomId: this.id,
      peerId: peer.peerId,
      maxLayer,
      quiet: () => peer.closing || this.closed,
      emit: (event, ...args) => this.safeEmit(event, ...(args as RoomEvents[typeof event])),
    });
    if (layers) this.#budgets.addLayers(consumer, layers);
  }

  #announceSpeaker(producerId: string | null): void {
    if (this.closed) return;
    const peerId = producerId === null ? null : (this.#producers.get(producerId)?.peerId ?? null);
    this.safeEmit('activespeaker', { roomId: this.id, peerId });
  }
}
