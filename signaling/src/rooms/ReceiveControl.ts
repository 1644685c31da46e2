/**
 * The receive side of a room's participants: hidden tiles (pause), simulcast
 * layer choice per tile, and weak-link settings (audio only, a cap on the
 * spatial layer of every video, including consumers created later).
 *
 * A video consumer forwards only when the client wants it (`clientPaused`
 * false) and the participant is not audio-only; its layer is the client's
 * choice capped by `maxSpatialLayer`.
 */
import type { MediaControl } from '@beacon/media-server';
import type { ConsumerParams, MediaSource } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { Participant, ParticipantConsumer } from './Participant.ts';

const logger = createLogger('ReceiveControl');
const TOP_LAYER = 2;

export class ReceiveControl {
  readonly #roomId: string;
  readonly #media: MediaControl;

  constructor(roomId: string, media: MediaControl) {
    this.#roomId = roomId;
    this.#media = media;
  }

  /**
   * One paused consumer of `producerId` for the receiver, with its layer cap
   * applied; null when it cannot receive it. Failures are logged, not thrown:
   * one peer that cannot decode VP9 must not fail the sender's producer:create.
   */
  async consume(receiver: Participant, producerId: string, source: MediaSource): Promise<ConsumerParams | null> {
    const transportId = receiver.transports.recv;
    if (!transportId) return null;
    try {
      const info = await this.#media.consume(this.#roomId, receiver.peerId, {
        transportId,
        producerId,
        rtpCapabilities: receiver.rtpCapabilities as never,
      });
      if (!info || !receiver.receiving) return null;
      await this.#remember(receiver, info.id, info.kind);
      return {
        consumerId: info.id,
        producerId,
        peerId: info.producerPeerId,
        kind: info.kind,
        source,
        rtpParameters: info.rtpParameters,
      };
    } catch (err) {
      logger.warn({ err, roomId: this.#roomId, peerId: receiver.peerId, producerId }, 'consume failed');
      return null;
    }
  }

  /** A new (paused) consumer: remember it and apply the receiver's layer cap. */
  async #remember(receiver: Participant, consumerId: string, kind: 'audio' | 'video'): Promise<void> {
    const consumer: ParticipantConsumer = {
      id: consumerId,
      kind,
      clientPaused: true,
      spatialLayer: TOP_LAYER,
      temporalLayer: undefined,
    };
    receiver.consumers.set(consumerId, consumer);
    if (kind === 'video' && receiver.receive.maxSpatialLayer < TOP_LAYER) await this.#applyLayers(receiver, consumer);
  }

  forget(receiver: Participant, consumerId: string): void {
    receiver.consumers.delete(consumerId);
  }

  /** The client wired the track (or shows the tile again). Audio-only keeps video paused. */
  async resume(receiver: Participant, consumerId: string): Promise<void> {
    const consumer = this.#own(receiver, consumerId);
    consumer.clientPaused = false;
    if (this.#held(receiver, consumer)) return;
    await this.#media.resumeConsumer(this.#roomId, receiver.peerId, consumerId);
  }

  /** The tile is hidden: stop forwarding. */
  async pause(receiver: Participant, consumerId: string): Promise<void> {
    const consumer = this.#own(receiver, consumerId);
    consumer.clientPaused = true;
    await this.#media.pauseConsumer(this.#roomId, receiver.peerId, consumerId);
  }

  async setLayers(receiver: Participant, consumerId: string, spatialLayer: number, temporalLayer?: number) {
    const consumer = this.#own(receiver, consumerId);
    consumer.spatialLayer = spatialLayer;
    consumer.temporalLayer = temporalLayer;
    if (consumer.kind === 'video') await this.#applyLayers(receiver, consumer);
  }

  async setSettings(receiver: Participant, settings: { audioOnly: boolean; maxSpatialLayer: number }): Promise<void> {
    const before = { ...receiver.receive };
    receiver.receive.audioOnly = settings.audioOnly;
    receiver.receive.maxSpatialLayer = settings.maxSpatialLayer;
    const { peerId } = receiver;
    const work: Promise<void>[] = [];
    for (const consumer of receiver.consumers.values()) {
      if (consumer.kind !== 'video') continue;
      if (before.maxSpatialLayer !== settings.maxSpatialLayer) work.push(this.#applyLayers(receiver, consumer));
      if (before.audioOnly === settings.audioOnly || consumer.clientPaused) continue;
      work.push(
        settings.audioOnly
          ? this.#media.pauseConsumer(this.#roomId, peerId, consumer.id)
          : this.#media.resumeConsumer(this.#roomId, peerId, consumer.id),
      );
    }
    // A consumer that closed meanwhile is not an error of the settings.
    const results = await Promise.allSettled(work);
    const failed = results.find((r) => r.status === 'rejected' && !isGone(r.reason));
    if (failed?.status === 'rejected') throw failed.reason;
  }

  #held(receiver: Participant, consumer: ParticipantConsumer): boolean {
    return consumer.kind === 'video' && receiver.receive.audioOnly;
  }

  #applyLayers(receiver: Participant, consumer: ParticipantConsumer): Promise<void> {
    const spatialLayer = Math.min(consumer.spatialLayer, receiver.receive.maxSpatialLayer);
    const layers =
      consumer.temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer: consumer.temporalLayer };
    return this.#media.setConsumerLayers(this.#roomId, receiver.peerId, consumer.id, layers);
  }

  #own(receiver: Participant, consumerId: string): ParticipantConsumer {
    const consumer = receiver.consumers.get(consumerId);
    if (!consumer) throw new BeaconError('consumer_not_found', `consumer "${consumerId}" not found`);
    return consumer;
  }
}

function isGone(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'consumer_not_found';
}
