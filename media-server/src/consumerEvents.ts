/**
 * What a room reports about one consumer: closure by its producer or
 * transport, the producer's pause state, and the simulcast layers actually
 * forwarded. Kept out of Room so the room stays about ownership.
 */
import type { types as ms } from 'mediasoup';
import type { MediaControlEvents } from './MediaControlTypes.ts';
import { SimulcastLayers } from './SimulcastLayers.ts';

export type ConsumerEvents = Pick<
  MediaControlEvents,
  'consumerclosed' | 'consumerpaused' | 'consumerresumed' | 'consumerlayers'
>;

export interface WatchConsumerContext {
  roomId: string;
  peerId: string;
  /** The producer's top simulcast encoding index (0 for single-stream). */
  maxLayer: number;
  /** True while the peer or room is closing on request: those closures are not news to signaling. */
  quiet(): boolean;
  emit<K extends keyof ConsumerEvents>(event: K, ...args: ConsumerEvents[K]): void;
}

/** Wires the consumer's events; returns its layer controller when it is a simulcast video consumer. */
export function watchConsumer(consumer: ms.Consumer, context: WatchConsumerContext): SimulcastLayers | null {
  const ids = { roomId: context.roomId, peerId: context.peerId, consumerId: consumer.id };
  const closed = () => {
    if (!context.quiet()) context.emit('consumerclosed', { ...ids, producerId: consumer.producerId });
  };
  consumer.on('producerclose', closed);
  consumer.on('transportclose', closed);
  consumer.on('producerpause', () => {
    if (!context.quiet()) context.emit('consumerpaused', ids);
  });
  consumer.on('producerresume', () => {
    if (!context.quiet()) context.emit('consumerresumed', ids);
  });
  consumer.on('layerschange', (layers) => {
    if (context.quiet()) return;
    context.emit('consumerlayers', {
      ...ids,
      spatialLayer: layers?.spatialLayer ?? null,
      temporalLayer: layers?.temporalLayer ?? null,
    });
  });
  return SimulcastLayers.attach(consumer, context.maxLayer);
}
