/**
 * The signaling side of one conference room: who is in it, which producers
 * they have, and which consumers to create when someone starts sending or
 * becomes ready. The media objects themselves live behind `MediaControl`.
 * Its parts: `control` (chair actions, broadcast mode), `mainView` (roll
 * call, polling, speak requests, screen share), `recorder`, `receive`
 * (layers, audio-only) and `transports`. Their state is sent whole as `room:state`.
 *
 * Does not know socket.io: what others must hear leaves as typed events
 * (LiveKit-style manager); the socket layer turns them into emits.
 */

import { TypedEmitter } from '@beacon/common';
import type { MediaControl, ProducerInfo } from '@beacon/media-server';
import type { MediaSource, MutedBy, Presentation, RoomState } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ConferenceRoomEvents, ConferenceRoomOptions, RoomProducer } from './ConferenceRoomTypes.ts';
import { clientInput } from './clientInput.ts';
import { MainView } from './MainView.ts';
import { MeetingControl } from './MeetingControl.ts';
import { type Participant, ParticipantState } from './Participant.ts';
import { PeerTransports } from './PeerTransports.ts';
import { declaredLayerKbps } from './producerBitrates.ts';
import { ReceiveControl } from './ReceiveControl.ts';
import { ReconnectGrace } from './ReconnectGrace.ts';
import { RoomRecorder } from './RoomRecorder.ts';

const logger = createLogger('ConferenceRoom');

export type { ConferenceRoomEvents, ConferenceRoomOptions, RoomProducer };

type ProducerEntry = Omit<RoomProducer, 'producerId'>;

export class ConferenceRoom extends TypedEmitter<ConferenceRoomEvents> {
  readonly id: string;
  readonly routerRtpCapabilities: unknown;
  readonly control: MeetingControl;
  readonly mainView: MainView;
  readonly recorder: RoomRecorder;
  readonly receive: ReceiveControl;
  readonly transports: PeerTransports;
  readonly #media: MediaControl;
  readonly #participants = new Map<string, Participant>();
  /** producerId → owner and source, so consumers can tell clients what they receive. */
  readonly #producers = new Map<string, ProducerEntry>();
  readonly #grace: ReconnectGrace;
  #closed = false;
  #presentation: Presentation | null = null;

  constructor(opts: ConferenceRoomOptions) {
    super();
    this.id = opts.id;
    this.#media = opts.media;
    this.routerRtpCapabilities = opts.routerRtpCapabilities;
    this.#grace = new ReconnectGrace(opts.reconnectGraceMs ?? 30_000);
    this.control = new MeetingControl(this, opts.mode ?? 'meeting');
    this.mainView = new MainView(this, opts.clock);
    this.recorder = new RoomRecorder(opts.id, opts.media);
    this.receive = new ReceiveControl(opts.id, opts.media);
    this.transports = new PeerTransports(opts.id, opts.media);
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

  /** In join order. */
  participants(): Participant[] {
    return [...this.#participants.values()];
  }

  chair(): Participant | undefined {
    for (const p of this.#participants.values()) if (p.meetingRole === 'chair') return p;
    return undefined;
  }

  state(): RoomState {
    return {
      ...this.control.state(),
      ...this.mainView.state(),
      recording: this.recorder.current,
      presentation: this.#presentation,
    };
  }

  /** Shows a material's page to everyone (the chair turns the pages); null stops. */
  present(presentation: Presentation | null): void {
    this.#presentation = presentation;
    this.stateChanged();
  }

  add(participant: Participant): void {
    if (this.#closed) throw new BeaconError('room_not_found', `room "${this.id}" is closed`);
    participant.transition(ParticipantState.Joined);
    this.#participants.set(participant.peerId, participant);
    logger.info(
      { roomId: this.id, peerId: participant.peerId, user: participant.claims.username, role: participant.meetingRole },
      'peer joined',
    );
    this.safeEmit('peerjoined', participant.info());
  }

  /** Leave, removal, end or an expired reconnect. Idempotent: a peer already gone is ignored. */
  remove(peerId: string, at = new Date()): void {
    const participant = this.#participants.get(peerId);
    if (!participant) return;
    this.#grace.cancel(peerId);
    this.#participants.delete(peerId);
    participant.transition(ParticipantState.Left);
    for (const producerId of participant.producers.keys()) this.#forgetProducer(producerId);
    // Closing the peer's media closes its producers, and mediasoup then closes
    // everyone's consumers of them (reported as `consumerclosed`).
    if (this.#media.hasRoom(this.id)) this.#media.closePeer(this.id, peerId);
    logger.info({ roomId: this.id, peerId, user: participant.claims.username }, 'peer left');
    this.safeEmit('peerleft', { peerId, at, meetingRole: participant.meetingRole });
    const presenterLeft = this.control.onPeerLeft(participant);
    if (this.mainView.onPeerLeft(peerId) || presenterLeft) this.stateChanged();
    if (this.#participants.size === 0) this.safeEmit('empty');
  }

  /** Everyone leaves (the chair ended the meeting); returns who was in it. */
  end(): Participant[] {
    const everyone = this.participants();
    this.mainView.stopPolling({ silent: true });
    for (const participant of everyone) this.remove(participant.peerId);
    return everyone;
  }

  /**
   * The socket went away: keep the peer (and its media) as `reconnecting` for
   * the grace period; a resume within it continues, otherwise it leaves.
   */
  disconnect(participant: Participant): void {
    if (!participant.inRoom) return;
    participant.markReconnecting();
    logger.info({ roomId: this.id, peerId: participant.peerId, graceMs: this.#grace.ms }, 'peer reconnecting');
    this.#grace.start(participant.peerId, () => {
      logger.info({ roomId: this.id, peerId: participant.peerId }, 'reconnect grace ran out');
      this.remove(participant.peerId, participant.disconnectedAt);
    });
    this.peerUpdated(participant);
  }

  /** A new socket took the participant over; returns the emits held while it was away. */
  resume(participant: Participant, socketId: string) {
    this.#grace.cancel(participant.peerId);
    const held = participant.resume(socketId);
    logger.info({ roomId: this.id, peerId: participant.peerId, held: held.length }, 'peer resumed');
    this.peerUpdated(participant);
    return held;
  }

  /**
   * The media room vanished under us (worker died): forget every participant
   * without touching media and return them so their clients can be told.
   */
  dropAll(): Participant[] {
    const dropped = this.participants();
    for (const participant of dropped) participant.transition(ParticipantState.Left);
    this.#grace.cancelAll();
    this.#participants.clear();
    this.#producers.clear();
    this.mainView.stopPolling({ silent: true });
    return dropped;
  }

  markClosed(): void {
    this.#closed = true;
    this.#grace.cancelAll();
    this.mainView.stopPolling({ silent: true });
  }

  /** Creates the producer, then a consumer of it in every other receiving peer. */
  async produce(
    participant: Participant,
    input: { transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; source: MediaSource },
  ): Promise<string> {
    if (participant.transports.send !== input.transportId) {
      throw new BeaconError('transport_not_found', `send transport "${input.transportId}" not found`);
    }
    this.control.assertMaySend(participant);
    const producer: ProducerInfo = await clientInput(
      this.#media.produce(this.id, participant.peerId, {
        transportId: input.transportId,
        kind: input.kind,
        rtpParameters: input.rtpParameters as never,
        appData: { source: input.source, peerId: participant.peerId },
      }),
    );
    await this.adoptProducer(participant, producer, input.source, declaredLayerKbps(input.rtpParameters));
    return producer.id;
  }

  /**
   * Makes a producer the media node already created (WebRTC or a phone's
   * plain RTP) part of the room: mute state, chair rules, everyone's consumers.
   */
  async adoptProducer(
    participant: Participant,
    producer: ProducerInfo,
    source: MediaSource,
    layerKbps?: readonly number[],
  ): Promise<void> {
    if (participant.state === ParticipantState.Left) {
      // Left while mediasoup was busy; closePeer already ran, so do not resurrect state.
      throw new BeaconError('not_in_room', 'left the room');
    }
    const entry = { id: producer.id, kind: producer.kind, source, paused: producer.paused };
    participant.producers.set(producer.id, entry);
    this.#producers.set(producer.id, { peerId: participant.peerId, kind: producer.kind, source, layerKbps });
    logger.debug({ roomId: this.id, peerId: participant.peerId, producerId: producer.id }, 'producer created');
    this.safeEmit('produceradded', {
      producerId: producer.id,
      peerId: participant.peerId,
      kind: producer.kind,
      source,
    });
    await this.control.onProduced(participant, entry);
    if (entry.source === 'screen') this.mainView.onScreenStarted(participant);
    this.peerUpdated(participant);
    const receivers = this.participants().filter((p) => p !== participant && p.receiving);
    await Promise.all(receivers.map((receiver) => this.#consume(receiver, producer.id)));
  }

  /** Every live producer of the room, in creation order. */
  producers(): RoomProducer[] {
    return [...this.#producers].map(([producerId, entry]) => ({ producerId, ...entry }));
  }

  /** Pauses or resumes; `by` says who muted (the participant itself or the chair). */
  async setProducerPaused(participant: Participant, producerId: string, paused: boolean, by: MutedBy = 'self') {
    const producer = this.#ownProducer(participant, producerId);
    if (paused) await this.#media.pauseProducer(this.id, participant.peerId, producerId);
    else await this.#media.resumeProducer(this.id, participant.peerId, producerId);
    producer.paused = paused;
    if (producer.source === 'mic') participant.audioMutedBy = paused ? by : null;
    if (producer.source === 'camera') participant.videoMutedBy = paused ? by : null;
    this.peerUpdated(participant);
  }

  closeProducer(participant: Participant, producerId: string): void {
    const producer = this.#ownProducer(participant, producerId);
    this.#media.closeProducer(this.id, participant.peerId, producerId);
    participant.producers.delete(producerId);
    this.#forgetProducer(producerId);
    if (producer.source === 'screen') this.mainView.onScreenStopped(participant);
    this.peerUpdated(participant);
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

  peerUpdated(participant: Participant): void {
    if (this.#participants.get(participant.peerId) === participant) this.safeEmit('peerupdated', participant.info());
  }

  /** Sends the whole control state (and points a running recording at the spotlight). */
  stateChanged(): void {
    if (this.#closed) return;
    this.recorder.follow(this.mainView.spotlightPeerId);
    this.safeEmit('statechanged', this.state());
  }

  speakResult(peerId: string, granted: boolean): void {
    this.safeEmit('speakresult', { peerId, granted });
  }

  #forgetProducer(producerId: string): void {
    const entry = this.#producers.get(producerId);
    if (!entry) return;
    this.#producers.delete(producerId);
    this.safeEmit('producerremoved', { producerId, ...entry });
  }

  #ownProducer(participant: Participant, producerId: string) {
    const producer = participant.producers.get(producerId);
    if (!producer) throw new BeaconError('producer_not_found', `producer "${producerId}" not found`);
    return producer;
  }

  async #consume(receiver: Participant, producerId: string): Promise<boolean> {
    const entry = this.#producers.get(producerId);
    const consumer = entry && (await this.receive.consume(receiver, producerId, entry.source));
    if (!consumer) return false;
    this.safeEmit('consumernew', { peerId: receiver.peerId, consumer });
    return true;
  }
}
