/**
 * The signaling side of one conference room: who is in it, which producers
 * they have, and which consumers to create when someone starts sending or
 * becomes ready. The media objects themselves live behind `MediaControl`.
 *
 * Does not know socket.io: what others must hear leaves as typed events
 * (LiveKit-style manager); the socket layer turns them into emits.
 */
import type { MediaControl, ProducerInfo, TransportDirection } from '@beacon/media-server';
import { TypedEmitter } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { ConsumerParams, MediaSource, PeerInfo, TransportParams } from '../protocol/events.ts';
import { type Participant, ParticipantState } from './Participant.ts';

const logger = createLogger('ConferenceRoom');

export type ConferenceRoomEvents = {
  peerjoined: [PeerInfo];
  /** Mute flags changed (a producer was added, paused, resumed or closed). */
  peerupdated: [PeerInfo];
  peerleft: [{ peerId: string }];
  /** A paused consumer was created for `peerId`; the client resumes it when its track is wired. */
  consumernew: [{ peerId: string; consumer: ConsumerParams }];
  /** The last participant left; the registry closes the room. */
  empty: [];
};

interface ProducerEntry {
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
}

/**
 * mediasoup rejects client-supplied parameters it cannot use with TypeError
 * (malformed) or UnsupportedError (codec not in the router): that is the
 * client's fault, so it becomes bad_request instead of 'internal'.
 */
async function clientInput<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
      throw new BeaconError('bad_request', err.message, { cause: err });
    }
    throw err;
  }
}

export class ConferenceRoom extends TypedEmitter<ConferenceRoomEvents> {
  readonly id: string;
  readonly routerRtpCapabilities: unknown;
  readonly #media: MediaControl;
  readonly #participants = new Map<string, Participant>();
  /** producerId → owner and source, so consumers can tell clients what they receive. */
  readonly #producers = new Map<string, ProducerEntry>();
  #closed = false;

  constructor(opts: { id: string; media: MediaControl; routerRtpCapabilities: unknown }) {
    super();
    this.id = opts.id;
    this.#media = opts.media;
    this.routerRtpCapabilities = opts.routerRtpCapabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get size(): number {
    return this.#participants.size;
  }

  get(peerId: string): Participant | undefined {
    return this.#participants.get(peerId);
  }

  participants(): Participant[] {
    return [...this.#participants.values()];
  }

  /** Everyone but `peerId`: the audience of most notifications. */
  others(peerId: string): Participant[] {
    return this.participants().filter((p) => p.peerId !== peerId);
  }

  add(participant: Participant): void {
    if (this.#closed) throw new BeaconError('room_not_found', `room "${this.id}" is closed`);
    participant.transition(ParticipantState.Joined);
    this.#participants.set(participant.peerId, participant);
    logger.info({ roomId: this.id, peerId: participant.peerId, user: participant.claims.username }, 'peer joined');
    this.safeEmit('peerjoined', participant.info());
  }

  /** Leave or disconnect. Idempotent: a peer already gone is ignored. */
  remove(peerId: string): void {
    const participant = this.#participants.get(peerId);
    if (!participant) return;
    this.#participants.delete(peerId);
    participant.transition(ParticipantState.Left);
    for (const producerId of participant.producers.keys()) this.#producers.delete(producerId);
    // Closing the peer's media closes its producers, and mediasoup then closes
    // everyone's consumers of them (reported as `consumerclosed`).
    if (this.#media.hasRoom(this.id)) this.#media.closePeer(this.id, peerId);
    logger.info({ roomId: this.id, peerId, user: participant.claims.username }, 'peer left');
    this.safeEmit('peerleft', { peerId });
    if (this.#participants.size === 0) this.safeEmit('empty');
  }

  /**
   * The media room vanished under us (worker died): forget every participant
   * without touching media and return them so their clients can be told.
   */
  dropAll(): Participant[] {
    const dropped = this.participants();
    for (const participant of dropped) participant.transition(ParticipantState.Left);
    this.#participants.clear();
    this.#producers.clear();
    return dropped;
  }

  markClosed(): void {
    this.#closed = true;
  }

  async createTransport(participant: Participant, direction: TransportDirection): Promise<TransportParams> {
    if (participant.transports[direction]) {
      throw BeaconError.badRequest(`a ${direction} transport already exists for this peer`);
    }
    const info = await this.#media.createWebRtcTransport(this.id, participant.peerId, direction);
    participant.transports[direction] = info.id;
    return {
      id: info.id,
      direction,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
    };
  }

  async connectTransport(participant: Participant, transportId: string, dtlsParameters: unknown): Promise<void> {
    if (participant.transports.send !== transportId && participant.transports.recv !== transportId) {
      throw new BeaconError('transport_not_found', `transport "${transportId}" not found`);
    }
    // The schema checked the shape that matters; mediasoup validates the rest.
    await clientInput(this.#media.connectTransport(this.id, participant.peerId, transportId, dtlsParameters as never));
  }

  /** Creates the producer, then a consumer of it in every other ready peer. */
  async produce(
    participant: Participant,
    input: { transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; source: MediaSource },
  ): Promise<string> {
    if (participant.transports.send !== input.transportId) {
      throw new BeaconError('transport_not_found', `send transport "${input.transportId}" not found`);
    }
    const producer: ProducerInfo = await clientInput(
      this.#media.produce(this.id, participant.peerId, {
        transportId: input.transportId,
        kind: input.kind,
        rtpParameters: input.rtpParameters as never,
        appData: { source: input.source, peerId: participant.peerId },
      }),
    );
    if (participant.state === ParticipantState.Left) {
      // Left while mediasoup was busy; closePeer already ran, so do not resurrect state.
      throw new BeaconError('not_in_room', 'left the room');
    }
    participant.producers.set(producer.id, {
      id: producer.id,
      kind: producer.kind,
      source: input.source,
      paused: producer.paused,
    });
    this.#producers.set(producer.id, { peerId: participant.peerId, kind: producer.kind, source: input.source });
    logger.debug({ roomId: this.id, peerId: participant.peerId, producerId: producer.id }, 'producer created');
    this.safeEmit('peerupdated', participant.info());
    const receivers = this.others(participant.peerId).filter((p) => p.state === ParticipantState.Ready);
    await Promise.all(receivers.map((receiver) => this.#consume(receiver, producer.id)));
    return producer.id;
  }

  async setProducerPaused(participant: Participant, producerId: string, paused: boolean): Promise<void> {
    const producer = this.#ownProducer(participant, producerId);
    if (paused) await this.#media.pauseProducer(this.id, participant.peerId, producerId);
    else await this.#media.resumeProducer(this.id, participant.peerId, producerId);
    producer.paused = paused;
    this.safeEmit('peerupdated', participant.info());
  }

  closeProducer(participant: Participant, producerId: string): void {
    this.#ownProducer(participant, producerId);
    this.#media.closeProducer(this.id, participant.peerId, producerId);
    participant.producers.delete(producerId);
    this.#producers.delete(producerId);
    this.safeEmit('peerupdated', participant.info());
  }

  /**
   * The participant sent its RTP capabilities: from now on it receives every
   * producer. Returns how many consumers were created for what already exists.
   */
  async ready(participant: Participant, rtpCapabilities: unknown): Promise<number> {
    if (!participant.transports.recv) {
      throw new BeaconError('transport_not_found', 'create a recv transport before room:ready');
    }
    participant.markReady(rtpCapabilities);
    const producerIds = [...this.#producers].filter(([, p]) => p.peerId !== participant.peerId).map(([id]) => id);
    const created = await Promise.all(producerIds.map((id) => this.#consume(participant, id)));
    return created.filter(Boolean).length;
  }

  async resumeConsumer(participant: Participant, consumerId: string): Promise<void> {
    await this.#media.resumeConsumer(this.id, participant.peerId, consumerId);
  }

  #ownProducer(participant: Participant, producerId: string) {
    const producer = participant.producers.get(producerId);
    if (!producer) throw new BeaconError('producer_not_found', `producer "${producerId}" not found`);
    return producer;
  }

  /**
   * One consumer for one receiver. Failures are logged, not thrown: one peer
   * that cannot decode VP9 must not fail the sender's producer:create.
   */
  async #consume(receiver: Participant, producerId: string): Promise<boolean> {
    const transportId = receiver.transports.recv;
    const entry = this.#producers.get(producerId);
    if (!transportId || !entry) return false;
    try {
      const info = await this.#media.consume(this.id, receiver.peerId, {
        transportId,
        producerId,
        rtpCapabilities: receiver.rtpCapabilities as never,
      });
      if (!info) return false;
      if (receiver.state !== ParticipantState.Ready) return false;
      this.safeEmit('consumernew', {
        peerId: receiver.peerId,
        consumer: {
          consumerId: info.id,
          producerId,
          peerId: info.producerPeerId,
          kind: info.kind,
          source: entry.source,
          rtpParameters: info.rtpParameters,
        },
      });
      return true;
    } catch (err) {
      logger.warn({ err, roomId: this.id, peerId: receiver.peerId, producerId }, 'consume failed');
      return false;
    }
  }
}
