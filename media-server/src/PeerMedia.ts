import type { types as ms } from 'mediasoup';
import type { ProducerInfo, TransportDirection } from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';

export interface RoomCounts {
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
}

export interface PeerTransport {
  transport: ms.Transport;
  direction: TransportDirection;
}

/**
 * The mediasoup objects one peer owns in a room. Entries remove themselves
 * when mediasoup closes the object, whatever the reason.
 */
export class PeerMedia {
  readonly peerId: string;
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, ms.Producer>();
  readonly consumers = new Map<string, ms.Consumer>();
  /** The transport each consumer sends on (mediasoup does not expose it). */
  readonly #consumerTransports = new Map<string, string>();
  /** Set while the peer is being closed on request, so its own closures are not reported back. */
  closing = false;

  constructor(peerId: string) {
    this.peerId = peerId;
  }

  addTransport(transport: ms.Transport, direction: TransportDirection): void {
    this.transports.set(transport.id, { transport, direction });
    transport.observer.once('close', () => this.transports.delete(transport.id));
  }

  addProducer(producer: ms.Producer): void {
    this.producers.set(producer.id, producer);
    producer.observer.once('close', () => this.producers.delete(producer.id));
  }

  addConsumer(consumer: ms.Consumer, transportId: string): void {
    this.consumers.set(consumer.id, consumer);
    this.#consumerTransports.set(consumer.id, transportId);
    consumer.observer.once('close', () => {
      this.consumers.delete(consumer.id);
      this.#consumerTransports.delete(consumer.id);
    });
  }

  consumerTransport(consumerId: string): string | undefined {
    return this.#consumerTransports.get(consumerId);
  }

  transport(transportId: string, direction: TransportDirection): ms.Transport {
    const entry = this.transports.get(transportId);
    if (!entry) throw MediaError.transportNotFound(transportId);
    if (entry.direction !== direction) {
      throw new MediaError('invalid_state', `transport "${transportId}" is a ${entry.direction} transport`);
    }
    return entry.transport;
  }

  anyTransport(transportId: string): ms.Transport {
    const entry = this.transports.get(transportId);
    if (!entry) throw MediaError.transportNotFound(transportId);
    return entry.transport;
  }

  webRtcTransport(transportId: string): ms.WebRtcTransport {
    const transport = this.anyTransport(transportId);
    if (transport.type !== 'webrtc') throw new MediaError('invalid_state', `transport "${transportId}" is not WebRTC`);
    return transport as ms.WebRtcTransport;
  }

  producer(producerId: string): ms.Producer {
    const producer = this.producers.get(producerId);
    if (!producer) throw MediaError.producerNotFound(producerId);
    return producer;
  }

  consumer(consumerId: string): ms.Consumer {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw MediaError.consumerNotFound(consumerId);
    return consumer;
  }

  /** Closing the transports closes every producer and consumer on them. */
  close(): void {
    this.closing = true;
    for (const { transport } of [...this.transports.values()]) transport.close();
  }
}

export function countPeers(peers: Iterable<PeerMedia>): RoomCounts {
  const counts: RoomCounts = { peers: 0, transports: 0, producers: 0, consumers: 0 };
  for (const peer of peers) {
    counts.peers += 1;
    counts.transports += peer.transports.size;
    counts.producers += peer.producers.size;
    counts.consumers += peer.consumers.size;
  }
  return counts;
}

export function producerInfo(producer: ms.Producer, peerId: string): ProducerInfo {
  return { id: producer.id, peerId, kind: producer.kind, paused: producer.paused, appData: { ...producer.appData } };
}
