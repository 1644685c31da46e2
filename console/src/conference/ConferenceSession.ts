/**
 * Drives one conference: connects signaling, joins the room, publishes the
 * local camera and mic (not as audience, not in someone else's broadcast),
 * consumes what the server offers and follows the room's control state.
 * Its phases and their moves are in ConferencePhase.ts; getting back after a
 * socket drop, ICE trouble or a re-created room is ConferenceRecovery's job.
 *
 * Every join attempt gets a generation number; an attempt that a newer one
 * superseded drops its results instead of touching state.
 */
import type {
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ConsumerParams,
  PeerInfo,
  RoomState,
} from '@beacon/protocol';
import { type ClientErrorCode, isAuthError, toConsoleError } from '../errors.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import { showToast } from '../toast.ts';
import { ConferencePhaseMachine, isFinal } from './ConferencePhase.ts';
import { ConferenceRecovery, type RecoveryHost, type ResumeOutcome } from './ConferenceRecovery.ts';
import { ConsumerViewTracker } from './ConsumerViewTracker.ts';
import {
  type ConferenceState,
  type ConsumerLayerView,
  createConferenceState,
  maySend,
  type ReceiveSettings,
  removePeerTracks,
} from './conferenceState.ts';
import { DeviceCache } from './DeviceCache.ts';
import { clearJoinMarks, markJoin } from './joinMarks.ts';
import { MediaSession } from './MediaSession.ts';
import { QualityMonitor } from './QualityMonitor.ts';

export interface ConferenceDelegate {
  onAuthFailure(code: ClientErrorCode): void;
  /** The chair removed us or ended the meeting; media is already released. */
  onClosed(reason: 'removed' | 'ended'): void;
}

export interface ConferenceOptions {
  /** View-only: recv transport only, no getUserMedia. */
  audience: boolean;
}

const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: 1280, height: 720 };
/** Failures that end a recovery at once; anything else is retried. */
const FINAL_CODES: readonly ClientErrorCode[] = [
  'forbidden',
  'bad_request',
  'unauthorized',
  'token_expired',
  'room_locked',
  'room_ended',
  'not_a_member',
];
export class ConferenceSession {
  readonly state: ConferenceState;
  /** Remote video elements register here: it picks layers and pauses hidden tiles. */
  readonly views: ConsumerViewTracker;
  readonly #signaling: SignalingClient;
  readonly #delegate: ConferenceDelegate;
  readonly #quality: QualityMonitor;
  readonly #phase: ConferencePhaseMachine;
  readonly #recovery: ConferenceRecovery;
  #media: MediaSession | null = null;
  #resumeToken: string | null = null;
  /** Consumers paused because their producer is (server events) or their tile is hidden (us). */
  readonly #serverPaused = new Set<string>();
  readonly #hidden = new Set<string>();
  /** Our own mic/camera toggle awaiting the server (peer:updated then is not a chair action). */
  readonly #toggling = new Set<'mic' | 'camera'>();
  #localStream: Promise<MediaStream | null> | null = null;
  #generation = 0;
  readonly #devices = new DeviceCache();
  #prefetched = false;
  /** The token the page opened with: enough to fetch the media capabilities ahead of the join. */
  readonly #openingToken: string;

  constructor(roomId: string, token: string, delegate: ConferenceDelegate, options: ConferenceOptions) {
    this.#openingToken = token;
    this.state = createConferenceState(roomId, options.audience);
    this.#phase = new ConferencePhaseMachine(
      () => this.state.phase,
      (phase) => {
        this.state.phase = phase;
      },
    );
    this.#recovery = new ConferenceRecovery(this.#recoveryHost());
    this.#delegate = delegate;
    this.views = new ConsumerViewTracker({
      setLayer: (consumerId, spatialLayer) => {
        this.#signaling
          .request('consumer:setLayers', { consumerId, spatialLayer })
          .catch((error) => console.debug('[beacon] setLayers failed', consumerId, error));
      },
      setHidden: (consumerId, hidden) => this.#setHidden(consumerId, hidden),
    });
    this.#quality = new QualityMonitor(this.state, () => this.#media);
    this.#signaling = new SignalingClient(token, {
      onConnect: () => {
        markJoin('socket');
        // After the socket's handshake, not beside it: on a 300 kbit/s township link the capabilities (several kB)
        // would slow the handshake down. The Device then loads while the join is answered.
        if (!this.#prefetched) {
          this.#prefetched = true;
          this.#devices.prefetch(this.#openingToken);
        }
        this.#recovery.socketConnected();
      },
      onDisconnect: () => this.#recovery.socketDisconnected(),
      onAuthFailure: (code) => this.#delegate.onAuthFailure(code),
      onConnectError: () => {
        if (this.state.phase === 'joining') this.state.notice = 'conference.connecting';
      },
    });
    this.#listen();
  }

  get media(): MediaSession | null {
    return this.#media;
  }

  /** For modules beside the session (phone dial-out) that send their own requests and follow their own events. */
  get signaling(): SignalingClient {
    return this.#signaling;
  }

  /** Left, removed or ended. */
  get #finished(): boolean {
    return isFinal(this.state.phase);
  }

  start(): void {
    clearJoinMarks();
    markJoin('start');
    // Open the camera while the socket connects: both take a while. Audience never asks.
    if (!this.state.audience) void this.#getLocalStream();
    this.#signaling.connect();
    this.#quality.start();
  }

  retry(): void {
    this.#recovery.reset();
    if (this.#signaling.connected) void this.#join(false);
    else this.#signaling.connect();
  }

  /** Leaves the room and releases everything; safe to call twice. */
  async leave(): Promise<void> {
    if (this.#finished) return;
    this.#phase.transition('left');
    this.#generation++;
    if (this.#signaling.connected) await this.#signaling.request('room:leave', {}, 3000).catch(() => undefined);
    this.#release();
  }

  /**
   * The page is unloading (reload, tab closed): say we leave, without waiting,
   * so the others do not see a "reconnecting" ghost for the resume grace period.
   */
  leaveOnUnload(): void {
    if (this.#finished) return;
    this.#phase.transition('left');
    this.#signaling.notify('room:leave', {});
    this.#release();
  }

  /** Releases media, socket and timers; the phase is already final. */
  #release(): void {
    this.#generation++;
    this.#recovery.close();
    this.#closeMedia();
    this.#signaling.close();
    this.#quality.stop();
    this.views.close();
    for (const track of this.state.localStream?.getTracks() ?? []) track.stop();
    this.state.localStream = null;
    this.state.screenTrack?.stop();
    this.state.screenTrack = null;
  }

  /**
   * A meeting-control request (chair actions, speak requests, chat…). A
   * refusal shows a toast with the server's code; the result is null then.
   */
  async command<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<ClientEventResults[E] | null> {
    try {
      return await this.#signaling.request(event, payload);
    } catch (error) {
      this.#reportError(error);
      return null;
    }
  }

  async toggleMic(): Promise<void> {
    await this.#toggle('mic');
  }

  async toggleCamera(): Promise<void> {
    await this.#toggle('camera');
  }

  async #toggle(source: 'mic' | 'camera'): Promise<void> {
    const key = source === 'mic' ? 'micOn' : 'cameraOn';
    const on = !this.state[key];
    this.state[key] = on;
    this.#toggling.add(source);
    try {
      await this.#media?.setProducerPaused(source, !on);
    } catch (error) {
      this.state[key] = !on;
      this.#media?.syncProducerPaused(source, on);
      this.#reportError(error);
    } finally {
      this.#toggling.delete(source);
    }
  }

  /** Starts a screen/document share (getDisplayMedia), or stops the one running. */
  async toggleScreen(): Promise<void> {
    if (this.state.screenTrack) {
      await this.stopScreen();
      return;
    }
    const media = this.#media;
    if (!media?.sendTransport || !maySend(this.state)) return;
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      track = stream.getVideoTracks()[0];
    } catch (error) {
      console.warn('[beacon] getDisplayMedia failed', error);
      showToast('conference.screenDenied', 'warn');
      return;
    }
    if (!track) return;
    const shared = track;
    shared.addEventListener('ended', () => {
      if (this.state.screenTrack === shared) void this.stopScreen();
    });
    this.state.screenTrack = shared;
    try {
      await media.produceScreen(shared);
    } catch (error) {
      if (this.state.screenTrack === shared) this.state.screenTrack = null;
      shared.stop();
      this.#reportError(error);
    }
  }

  async stopScreen(): Promise<void> {
    this.state.screenTrack?.stop();
    this.state.screenTrack = null;
    await this.#media?.closeProducer('screen', true).catch(() => undefined);
  }

  /** Weak link: audio only and/or a cap on the simulcast layer received. */
  async setReceive(settings: ReceiveSettings): Promise<void> {
    this.state.receive = { ...settings };
    this.views.setMaxLayer(settings.audioOnly ? 0 : settings.maxSpatialLayer);
    if (this.#signaling.connected) await this.command('receive:settings', settings);
  }

  /** What each remote consumer receives: the test hook `consumerLayers()`. */
  consumerLayers(): ConsumerLayerView[] {
    return Object.values(this.state.tracks).map((t) => ({
      consumerId: t.consumerId,
      peerId: t.peerId,
      kind: t.kind,
      paused: this.#media?.consumer(t.consumerId)?.paused ?? t.paused,
      spatialLayer: t.spatialLayer,
      requestedLayer: t.kind === 'video' ? this.views.requestedLayer(t.consumerId) : null,
    }));
  }

  async #join(recovering: boolean): Promise<void> {
    if (this.#finished) return;
    this.#recovery.cancelRejoin();
    const stale = this.#newAttempt();
    this.#closeMedia();
    this.#phase.transition('joining');
    this.state.error = null;
    try {
      const joined = await this.#requestJoin();
      markJoin('joined');
      if (stale()) return;
      this.#applyJoined(joined);
      // Loaded while the socket connected and the join was answered, when the capabilities match (DeviceCache).
      const device = await this.#devices.device(joined.routerRtpCapabilities);
      markJoin('device');
      if (stale()) return;
      const media = new MediaSession(this.#signaling, device, {
        onTransportTrouble: (transport, state) => {
          if (media === this.#media) this.#recovery.transportTrouble(media, transport, state);
        },
      });
      this.#media = media;
      await media.createTransports({ send: maySend(this.state) });
      markJoin('transports');
      if (stale()) return;
      // Ready and publishing are independent on the server; doing both at once
      // shortens the time to the first remote frame.
      await Promise.all([
        this.#signaling.request('room:ready', { rtpCapabilities: media.rtpCapabilities }).then(() => markJoin('ready')),
        this.#publish(media),
      ]);
      if (stale()) return;
      const { receive } = this.state;
      if (receive.audioOnly || receive.maxSpatialLayer < 2) await this.command('receive:settings', receive);
      this.#phase.transition('joined');
      this.state.notice = null;
    } catch (error) {
      if (stale()) return;
      this.#closeMedia();
      const code = toConsoleError(error).code;
      if (isAuthError(error)) {
        this.#delegate.onAuthFailure(code);
        return;
      }
      console.warn('[beacon] join failed', error);
      if (recovering && !FINAL_CODES.includes(code) && this.#recovery.rejoinSoon()) return;
      this.#phase.transition('error');
      this.state.error = code;
      this.state.notice = null;
    }
  }

  /** room:join; if the server still holds us in the room (a fast re-join), leave first. */
  async #requestJoin(): Promise<ClientEventResults['room:join']> {
    const payload = { roomId: this.state.roomId, ...(this.state.audience ? { audience: true } : {}) };
    try {
      return await this.#signaling.request('room:join', payload);
    } catch (error) {
      if (toConsoleError(error).code !== 'already_in_room') throw error;
      await this.#signaling.request('room:leave', {}).catch(() => undefined);
      return this.#signaling.request('room:join', payload);
    }
  }

  #applyJoined(joined: ClientEventResults['room:join']): void {
    this.state.self = joined.self;
    this.#setPeers(joined.peers);
    this.state.tracks = {};
    this.state.activeSpeaker = null;
    this.state.room = joined.state;
    this.state.chat = [...joined.chat];
    this.#resumeToken = joined.resumeToken;
  }

  /** Replaces the peer list (ourselves filtered out); tracks of peers gone are dropped. */
  #setPeers(peers: PeerInfo[]): void {
    const selfId = this.state.self?.peerId;
    this.state.peers = Object.fromEntries(peers.filter((p) => p.peerId !== selfId).map((p) => [p.peerId, p]));
    for (const track of Object.values(this.state.tracks)) {
      if (this.state.peers[track.peerId]) continue;
      this.#dropConsumer(track.consumerId);
    }
  }

  /** Publishes mic and camera when we may send (not audience, not someone else's broadcast). */
  async #publish(media: MediaSession): Promise<void> {
    if (!maySend(this.state) || !media.sendTransport) return;
    const stream = await this.#getLocalStream();
    if (!stream || media.closed || !maySend(this.state)) return;
    await media.publish(stream);
    if (!this.state.micOn) await media.setProducerPaused('mic', true);
    if (!this.state.cameraOn) await media.setProducerPaused('camera', true);
  }

  /** Camera and mic, else mic only, else nothing (receive-only); asked once per page. */
  #getLocalStream(): Promise<MediaStream | null> {
    this.#localStream ??= (async () => {
      const attempts: MediaStreamConstraints[] = [{ audio: true, video: CAMERA_CONSTRAINTS }, { audio: true }];
      for (const constraints of attempts) {
        try {
          const stream = await navigator.mediaDevices.getUserMedia(constraints);
          if (this.#finished) {
            for (const track of stream.getTracks()) track.stop();
            return null;
          }
          this.state.localStream = stream;
          this.state.micAvailable = stream.getAudioTracks().length > 0;
          this.state.cameraAvailable = stream.getVideoTracks().length > 0;
          if (!this.state.cameraAvailable) showToast('errors.media_denied', 'warn');
          return stream;
        } catch (error) {
          console.warn('[beacon] getUserMedia failed', constraints, error);
        }
      }
      this.state.micAvailable = false;
      this.state.cameraAvailable = false;
      showToast('errors.media_denied', 'error');
      return null;
    })();
    return this.#localStream;
  }

  #listen(): void {
    const socket = this.#signaling.socket;
    socket.on('peer:joined', (peer) => this.#upsertPeer(peer));
    socket.on('peer:updated', (peer) => this.#upsertPeer(peer));
    socket.on('peer:left', ({ peerId }) => {
      delete this.state.peers[peerId];
      for (const consumerId of removePeerTracks(this.state, peerId)) this.#dropConsumer(consumerId);
      if (this.state.activeSpeaker === peerId) this.state.activeSpeaker = null;
    });
    socket.on('consumer:new', (params) => void this.#consume(params));
    socket.on('consumer:closed', ({ consumerId }) => this.#dropConsumer(consumerId));
    socket.on('consumer:paused', ({ consumerId }) => {
      this.#serverPaused.add(consumerId);
      this.#applyConsumerPaused(consumerId);
    });
    socket.on('consumer:resumed', ({ consumerId }) => {
      this.#serverPaused.delete(consumerId);
      this.#applyConsumerPaused(consumerId);
    });
    socket.on('consumer:layers', ({ consumerId, spatialLayer }) => {
      const track = this.state.tracks[consumerId];
      if (!track) return;
      track.spatialLayer = spatialLayer;
      track.layersReported = true;
    });
    socket.on('room:state', (room) => this.#applyRoomState(room));
    socket.on('chat:message', (message) => {
      if (!this.state.chat.some((m) => m.id === message.id)) this.state.chat.push(message);
    });
    socket.on('speak:result', ({ granted }) => {
      this.state.speakResult = { granted };
      showToast(granted ? 'speak.granted' : 'speak.denied', granted ? 'info' : 'warn');
    });
    socket.on('room:removed', () => this.#closedByServer('removed'));
    socket.on('room:ended', () => this.#closedByServer('ended'));
    socket.on('speaker:active', ({ peerId }) => {
      this.state.activeSpeaker = peerId;
    });
    socket.on('room:recreated', ({ roomId }) => {
      if (roomId !== this.state.roomId || this.#finished) return;
      showToast('conference.recovering', 'warn');
      this.state.notice = 'conference.recovering';
      this.#recovery.rejoinSoon();
    });
  }

  #upsertPeer(peer: PeerInfo): void {
    if (peer.peerId !== this.state.self?.peerId) {
      this.state.peers[peer.peerId] = peer;
      return;
    }
    const previous = this.state.self;
    this.state.self = peer;
    this.#followServerMute('mic', previous.audioMuted, peer.audioMuted, peer.audioMutedBy);
    this.#followServerMute('camera', previous.videoMuted, peer.videoMuted, peer.videoMutedBy);
    if (previous.meetingRole !== peer.meetingRole && peer.meetingRole !== 'audience') {
      showToast(`meeting.becameRole.${peer.meetingRole}`, 'info');
    }
  }

  /**
   * The chair muted us (or roll call / a granted request opened our mic):
   * the server already paused/resumed our producer; match it locally.
   */
  #followServerMute(source: 'mic' | 'camera', wasMuted: boolean, muted: boolean, by: PeerInfo['audioMutedBy']): void {
    if (this.#toggling.has(source) || !this.#media?.hasProducer(source)) return;
    const key = source === 'mic' ? 'micOn' : 'cameraOn';
    if (muted && by === 'chair' && this.state[key]) {
      this.state[key] = false;
      this.#media.syncProducerPaused(source, true);
      showToast(source === 'mic' ? 'meeting.mutedByChair' : 'meeting.cameraStoppedByChair', 'warn');
    } else if (!muted && wasMuted && !this.state[key]) {
      this.state[key] = true;
      this.#media.syncProducerPaused(source, false);
      if (source === 'mic') showToast('meeting.micOpened', 'info');
    }
  }

  #applyRoomState(room: RoomState): void {
    const couldSend = maySend(this.state);
    this.state.room = room;
    const canSend = maySend(this.state);
    const media = this.#media;
    if (!media || media.closed || couldSend === canSend) return;
    if (!canSend) {
      // Broadcast by someone else: the server closes our producers; close ours too.
      for (const source of ['mic', 'camera', 'screen'] as const) {
        void media.closeProducer(source, true).catch(() => undefined);
      }
      this.state.screenTrack?.stop();
      this.state.screenTrack = null;
    } else {
      media
        .ensureSendTransport()
        .then(() => this.#publish(media))
        .catch((error) => this.#reportError(error));
    }
  }

  /** Removed by the chair, or the meeting ended: release everything and tell the page. */
  #closedByServer(reason: 'removed' | 'ended'): void {
    if (this.#finished) return;
    this.#phase.transition(reason);
    this.#release();
    this.state.notice = null;
    this.#delegate.onClosed(reason);
  }

  #dropConsumer(consumerId: string): void {
    this.#media?.closeConsumer(consumerId);
    delete this.state.tracks[consumerId];
    this.views.removeConsumer(consumerId);
    this.#serverPaused.delete(consumerId);
    this.#hidden.delete(consumerId);
  }

  #setHidden(consumerId: string, hidden: boolean): void {
    if (hidden) this.#hidden.add(consumerId);
    else this.#hidden.delete(consumerId);
    this.#applyConsumerPaused(consumerId);
    this.#signaling
      .request(hidden ? 'consumer:pause' : 'consumer:resume', { consumerId })
      .catch((error) => console.debug('[beacon] consumer pause/resume failed', consumerId, error));
  }

  #applyConsumerPaused(consumerId: string): void {
    const paused = this.#serverPaused.has(consumerId) || this.#hidden.has(consumerId);
    this.#media?.setConsumerPaused(consumerId, paused);
    const track = this.state.tracks[consumerId];
    if (track) track.paused = paused;
  }

  async #consume(params: ConsumerParams): Promise<void> {
    const media = this.#media;
    if (!media?.recvTransport || media.closed) return;
    const video = params.kind === 'video';
    if (video) markJoin('consumer-new');
    try {
      const consumer = await media.consume(params);
      if (!consumer || media !== this.#media) return;
      if (video) markJoin('consumed');
      consumer.on('trackended', () => delete this.state.tracks[consumer.id]);
      this.state.tracks[consumer.id] = {
        consumerId: consumer.id,
        peerId: params.peerId,
        kind: params.kind,
        source: params.source,
        track: consumer.track,
        paused: false,
        spatialLayer: null,
        layersReported: false,
        stalled: false,
        decoding: false,
      };
      if (params.kind === 'video') this.views.addConsumer(consumer.id);
      await this.#signaling.request('consumer:resume', { consumerId: consumer.id });
      if (video) markJoin('resumed');
    } catch (error) {
      if (media === this.#media) console.warn('[beacon] consume failed', params.consumerId, error);
    }
  }

  /** A new join or resume attempt: the check tells when a newer one (or leaving) superseded it. */
  #newAttempt(): () => boolean {
    const generation = ++this.#generation;
    return () => generation !== this.#generation || this.#finished;
  }

  /** What recovery may do to this session: small steps, each a move of the phase diagram. */
  #recoveryHost(): RecoveryHost {
    return {
      phase: () => this.state.phase,
      finished: () => this.#finished,
      socketConnected: () => this.#signaling.connected,
      media: () => (this.#media && !this.#media.closed ? this.#media : null),
      join: (recovering) => this.#join(recovering),
      resume: () => this.#resume(),
      holdMedia: () => {
        this.#generation++;
        this.#phase.transition('reconnecting');
        this.state.notice = 'conference.networkLost';
      },
      awaitSocket: () => {
        this.#generation++;
        this.#closeMedia();
        this.#phase.transition('joining');
        this.state.notice = 'conference.reconnecting';
        this.state.peers = {};
        this.state.activeSpeaker = null;
      },
      prepareRejoin: () => {
        this.#generation++;
        this.#closeMedia();
        this.#phase.transition('joining');
        this.state.error = null;
      },
    };
  }

  /** `room:resume` on the new socket: the server gives our peer back with the room as it is now. */
  async #resume(): Promise<ResumeOutcome> {
    const stale = this.#newAttempt();
    const peerId = this.state.self?.peerId;
    if (!this.#media || this.#media.closed || !peerId || !this.#resumeToken) return 'rejoin';
    try {
      const resumed = await this.#signaling.request('room:resume', {
        roomId: this.state.roomId,
        peerId,
        resumeToken: this.#resumeToken,
      });
      if (stale()) return 'done';
      this.state.room = resumed.state;
      const peers = resumed.peers as PeerInfo[];
      const self = peers.find((p) => p.peerId === peerId);
      if (self) this.#upsertPeer(self);
      this.#setPeers(peers);
      if (resumed.mediaLost) return 'rejoin';
      this.#phase.transition('joined');
      this.state.notice = null;
      return 'resumed';
    } catch (error) {
      if (stale()) return 'done';
      if (isAuthError(error)) {
        this.#delegate.onAuthFailure(toConsoleError(error).code);
        return 'done';
      }
      console.warn('[beacon] resume failed, re-joining', error);
      return 'rejoin';
    }
  }

  #closeMedia(): void {
    this.#media?.close();
    this.#media = null;
    this.state.tracks = {};
    this.views.clearConsumers();
    this.#serverPaused.clear();
    this.#hidden.clear();
    this.#recovery.mediaClosed();
    if (this.state.screenTrack) {
      this.state.screenTrack.stop();
      this.state.screenTrack = null;
    }
  }

  #reportError(error: unknown): void {
    const failure = toConsoleError(error);
    if (isAuthError(failure)) this.#delegate.onAuthFailure(failure.code);
    else showToast(`errors.${failure.code}`, 'error');
  }
}
