import type { types as ms } from 'mediasoup';
import { createLogger } from './logger.ts';
import type {
  ConsumerInfo,
  MediaControlEvents,
  MediaKind,
  ProducerInfo,
  TransportDirection,
  WebRtcTransportInfo,
} from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import { MEDIA_CODECS } from './mediaCodecs.ts';
import { PeerMedia } from './PeerMedia.ts';
import { TypedEmitter } from './TypedEmitter.ts';
import type { WorkerSlot } from './WorkerPool.ts';

const logger = createLogger('Room');

const ACTIVE_SPEAKER_INTERVAL_MS = 300;

export type RoomEvents = Pick<
  MediaControlEvents,
  'consumerclosed' | 'consumerpaused' | 'consumerresumed' | 'activespeaker'
>;

export interface RoomCounts {
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
}

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
  readonly #speakerObserver: ms.ActiveSpeakerObserver;
  readonly #peers = new Map<string, PeerMedia>();
  /** Every live producer of the room with the peer that owns it. */
  readonly #producers = new Map<string, { producer: ms.Producer; peerId: string }>();
  #dominantProducerId: string | null = null;
  #closed = false;

  private constructor(id: string, slot: WorkerSlot, router: ms.Router, speakerObserver: ms.ActiveSpeakerObserver) {
    super();
    this.id = id;
    this.workerIndex = slot.index;
    this.#router = router;
    this.#webRtcServer = slot.webRtcServer;
    this.#speakerObserver = speakerObserver;
    speakerObserver.on('dominantspeaker', ({ producer }) => this.#setDominant(producer.id));
  }

  static async create(roomId: string, slot: WorkerSlot): Promise<Room> {
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId } });
    try {
      const speakerObserver = await router.createActiveSpeakerObserver({ interval: ACTIVE_SPEAKER_INTERVAL_MS });
      logger.info({ roomId, worker: slot.index, pid: slot.worker.pid }, 'room created');
      return new Room(roomId, slot, router, speakerObserver);
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
    const counts: RoomCounts = { peers: this.#peers.size, transports: 0, producers: 0, consumers: 0 };
    for (const peer of this.#peers.values()) {
      counts.transports += peer.transports.size;
      counts.producers += peer.producers.size;
      counts.consumers += peer.consumers.size;
    }
    return counts;
  }

  async createWebRtcTransport(peerId: string, direction: TransportDirection): Promise<WebRtcTransportInfo> {
    const peer = this.#peerOrCreate(peerId);
    const transport = await this.#router.createWebRtcTransport({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
    });
    this.#adoptTransport(peer, transport, direction);
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
    const transport = this.#peer(peerId).anyTransport(transportId);
    if (transport.type !== 'webrtc') throw new MediaError('invalid_state', `transport "${transportId}" is not WebRTC`);
    await (transport as ms.WebRtcTransport).connect({ dtlsParameters });
  }

  async produce(
    peerId: string,
    input: { transportId: string; kind: MediaKind; rtpParameters: ms.RtpParameters; appData: Record<string, unknown> },
  ): Promise<ProducerInfo> {
    const peer = this.#peer(peerId);
    const transport = peer.transport(input.transportId, 'send');
    const producer = await transport.produce({
      kind: input.kind,
      rtpParameters: input.rtpParameters,
      appData: input.appData,
    });
    peer.addProducer(producer);
    this.#producers.set(producer.id, { producer, peerId });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      // The observer never reports silence, but a closed speaker is surely silent.
      if (producer.id === this.#dominantProducerId) this.#setDominant(null);
    });
    if (producer.kind === 'audio') {
      // A failure here only costs speaker detection for this producer, not the call.
      await this.#speakerObserver.addProducer({ producerId: producer.id }).catch((error: unknown) => {
        logger.warn(
          { roomId: this.id, producerId: producer.id, err: error },
          'active speaker observer refused producer',
        );
      });
    }
    logger.debug({ roomId: this.id, peerId, producerId: producer.id, kind: producer.kind }, 'producer created');
    return producerInfo(producer, peerId);
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
    // Highest simulcast layer by default; per-tile layer choice comes later.
    const preferredLayers =
      producer.type === 'simulcast' ? { spatialLayer: (producer.rtpParameters.encodings?.length ?? 1) - 1 } : undefined;
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
    this.#trackConsumer(peer, consumer);
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
    await this.#peer(peerId).consumer(consumerId).resume();
  }

  /** For stats sampling (bench, diagnostics). */
  consumer(peerId: string, consumerId: string): ms.Consumer {
    return this.#peer(peerId).consumer(consumerId);
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
    this.#router.close();
    this.#peers.clear();
    this.#producers.clear();
    this.removeAllListeners();
    logger.info({ roomId: this.id }, 'room closed');
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

  #trackConsumer(peer: PeerMedia, consumer: ms.Consumer): void {
    peer.addConsumer(consumer);
    const ids = { roomId: this.id, peerId: peer.peerId, consumerId: consumer.id };
    // Closures the peer or room asked for are not news to signaling; only report the others.
    const quiet = () => peer.closing || this.closed;
    const closed = () => {
      if (!quiet()) this.safeEmit('consumerclosed', { ...ids, producerId: consumer.producerId });
    };
    consumer.on('producerclose', closed);
    consumer.on('transportclose', closed);
    consumer.on('producerpause', () => {
      if (!quiet()) this.safeEmit('consumerpaused', ids);
    });
    consumer.on('producerresume', () => {
      if (!quiet()) this.safeEmit('consumerresumed', ids);
    });
  }

  #setDominant(producerId: string | null): void {
    if (producerId === this.#dominantProducerId || this.closed) return;
    this.#dominantProducerId = producerId;
    const peerId = producerId === null ? null : (this.#producers.get(producerId)?.peerId ?? null);
    this.safeEmit('activespeaker', { roomId: this.id, peerId });
  }
}

function producerInfo(producer: ms.Producer, peerId: string): ProducerInfo {
  return { id: producer.id, peerId, kind: producer.kind, paused: producer.paused, appData: { ...producer.appData } };
}
