/**
 * The SIP gateway's ear in one room: every audio producer of a non-phone
 * participant is sent as plain RTP (one SSRC each) to one gateway address,
 * now and whenever a new one appears. The gateway mixes them into what each
 * phone hears; phones' own audio is left out because the gateway already has
 * it (and must not echo it back).
 *
 * The consumers belong to a hidden pseudo-peer of the media room (`tap:…`):
 * not a Participant, so it is in no participant list, attendance or count.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import type { MediaControl, PlainConsumerResult } from '@beacon/media-server';
import type { TapStream } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom, RoomProducer } from './ConferenceRoom.ts';

const logger = createLogger('RoomTap');

export type RoomTapEvents = {
  /** A producer that appeared after `start()`. */
  stream: [TapStream];
  /** A tapped producer went away. */
  ended: [producerId: string];
};

export interface RoomTapOptions {
  room: ConferenceRoom;
  media: MediaControl;
  /** Where the gateway receives the room's audio. */
  ip: string;
  port: number;
}

export class RoomTap extends TypedEmitter<RoomTapEvents> {
  /** The media-room peer the tap's consumers belong to. */
  readonly peerId = `tap:${randomUUID()}`;
  readonly #room: ConferenceRoom;
  readonly #media: MediaControl;
  readonly #remote: { remoteIp: string; remotePort: number };
  readonly #streams = new Map<string, TapStream>();
  #started = false;
  #closed = false;
  readonly #onAdded = (producer: RoomProducer) => {
    if (!this.#started || !this.#wanted(producer)) return;
    void this.#open(producer).then((stream) => {
      if (stream) this.safeEmit('stream', stream);
    });
  };
  readonly #onRemoved = ({ producerId }: RoomProducer) => {
    if (this.#streams.delete(producerId)) this.safeEmit('ended', producerId);
  };

  constructor(opts: RoomTapOptions) {
    super();
    this.#room = opts.room;
    this.#media = opts.media;
    this.#remote = { remoteIp: opts.ip, remotePort: opts.port };
    this.#room.on('produceradded', this.#onAdded);
    this.#room.on('producerremoved', this.#onRemoved);
  }

  get roomId(): string {
    return this.#room.id;
  }

  /** Taps what the room has now; later producers arrive as `stream` events. */
  async start(): Promise<TapStream[]> {
    this.#started = true;
    const present = this.#room.producers().filter((p) => this.#wanted(p));
    await Promise.all(present.map((p) => this.#open(p)));
    return [...this.#streams.values()];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#room.off('produceradded', this.#onAdded);
    this.#room.off('producerremoved', this.#onRemoved);
    this.#streams.clear();
    if (this.#media.hasRoom(this.#room.id)) this.#media.closePeer(this.#room.id, this.peerId);
    this.removeAllListeners();
  }

  #wanted(producer: RoomProducer): boolean {
    return producer.kind === 'audio' && this.#room.get(producer.peerId)?.device !== 'phone';
  }

  /** One plain consumer; null when the producer went meanwhile or the tap closed. */
  async #open(producer: RoomProducer): Promise<TapStream | null> {
    let consumer: PlainConsumerResult;
    try {
      consumer = await this.#media.createPlainConsumer(this.#room.id, this.peerId, producer.producerId, this.#remote);
    } catch (err) {
      // Usually the producer closed while we were busy; nothing to tap then.
      logger.debug({ err, roomId: this.#room.id, producerId: producer.producerId }, 'tap consumer not created');
      return null;
    }
    if (this.#closed) {
      // close() ran while mediasoup was busy: this consumer re-created the pseudo-peer.
      if (this.#media.hasRoom(this.#room.id)) this.#media.closePeer(this.#room.id, this.peerId);
      return null;
    }
    // Gone meanwhile: mediasoup closed the consumer with it (its idle transport goes with close()).
    if (!this.#room.producers().some((p) => p.producerId === producer.producerId)) return null;
    const stream = toTapStream(producer, consumer);
    this.#streams.set(producer.producerId, stream);
    logger.debug({ roomId: this.#room.id, producerId: producer.producerId, ssrc: stream.ssrc }, 'tapping');
    return stream;
  }
}

function toTapStream(producer: RoomProducer, consumer: PlainConsumerResult): TapStream {
  // The media codec comes first in a consumer's parameters.
  const codec = consumer.rtpParameters.codecs[0];
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0;
  return {
    producerId: producer.producerId,
    peerId: producer.peerId,
    ssrc,
    payloadType: codec?.payloadType ?? 0,
    mimeType: codec?.mimeType ?? 'audio/opus',
    clockRate: codec?.clockRate ?? 48_000,
    channels: codec?.channels ?? 1,
  };
}
