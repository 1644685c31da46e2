/**
 * Drives one conference: connects signaling, joins the room, publishes the
 * local camera and mic (not as audience, not in someone else's broadcast),
 * consumes what the server offers, follows the room's control state, and
 * recovers: a socket drop resumes the same peer (`room:resume` + ICE
 * restart, media kept); a failed resume or a `room:recreated` re-joins.
 *
 *   start ──► joining ──► joined ──► (leave) ──► left
 *                ▲   │     │   ▲ resumed          removed / ended (by the chair)
 *                │   ▼     ▼   │
 *                │ error  reconnecting ──(resume failed)──► joining
 *                └──────────── room:recreated / transport failed
 *
 * Every join attempt gets a generation number; an attempt that a newer one
 * superseded drops its results instead of touching state. Re-joins (recovery)
 * back off when they repeat, and retry transient failures before giving up.
 */
import type {
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ConsumerParams,
  PeerInfo,
  RoomState,
} from '@beacon/protocol';
import type { types } from 'mediasoup-client';
import { type ClientErrorCode, isAuthError, toConsoleError } from '../errors.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import type { ConsumerLayerView } from '../testHooks.ts';
import { showToast } from '../toast.ts';
import { ConsumerViewTracker } from './ConsumerViewTracker.ts';
import {
  type ConferenceState,
  createConferenceState,
  maySend,
  type ReceiveSettings,
  removePeerTracks,
} from './conferenceState.ts';
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
/** Recoveries within this window count towards the back-off and the give-up limit. */
const RECOVERY_WINDOW_MS = 60_000;
const MAX_RECOVERIES = 8;
const MAX_RECOVERY_DELAY_MS = 10_000;
/** Failures that end a recovery at once; anything else is retried. */
const FINAL_CODES: readonly ClientErrorCode[] = [
  'forbidden',
  'bad_request',
  'unauthorized',
  'token_expired',
  'room_locked',
  'room_ended',
];
/** A transport 'disconnected' this long (socket still up) gets an ICE restart. */
const ICE_DISCONNECTED_GRACE_MS = 2000;
/** Still 'failed' this long after an ICE restart: re-join. */
const ICE_RESTART_TIMEOUT_MS = 10_000;

/** Longer than the server's socket.io pingInterval + pingTimeout (5 s + 5 s). */
const SOCKET_SILENCE_MS = 11_000;

export class ConferenceSession {
  readonly state: ConferenceState;
  /** Remote video elements register here: it picks layers and pauses hidden tiles. */
  readonly views: ConsumerViewTracker;
  readonly #signaling: SignalingClient;
  readonly #delegate: ConferenceDelegate;
  readonly #quality: QualityMonitor;
  #media: MediaSession | null = null;
  #resumeToken: string | null = null;
  /** Consumers paused because their producer is (server events) or their tile is hidden (us). */
  readonly #serverPaused = new Set<string>();
  readonly #hidden = new Set<string>();
  /** Transports with an ICE restart in flight or being watched. */
  readonly #iceRestarts = new Set<string>();
  /** Our own mic/camera toggle awaiting the server (peer:updated then is not a chair action). */
  readonly #toggling = new Set<'mic' | 'camera'>();
  #localStream: Promise<MediaStream | null> | null = null;
  #generation = 0;
  #left = false;
  #connectedBefore = false;
  #recoveries: number[] = [];
  #recoveryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(roomId: string, token: string, delegate: ConferenceDelegate, options: ConferenceOptions) {
    this.state = createConferenceState(roomId, options.audience);
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
        // A reconnect: take our peer over again if the server still holds it, else re-join.
        if (!this.#connectedBefore) void this.#join(false);
        else if (this.#resumeToken && this.state.phase === 'reconnecting') void this.#resume();
        else void this.#join(true);
        this.#connectedBefore = true;
      },
      onDisconnect: () => this.#handleDisconnect(),
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

  start(): void {
    // Open the camera while the socket connects: both take a while. Audience never asks.
    if (!this.state.audience) void this.#getLocalStream();
    this.#signaling.connect();
    this.#quality.start();
  }

  retry(): void {
    this.#recoveries = [];
    if (this.#signaling.connected) void this.#join(false);
    else this.#signaling.connect();
  }

  /** Leaves the room and releases everything; safe to call twice. */
  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    this.#generation++;
    if (this.#signaling.connected) await this.#signaling.request('room:leave', {}, 3000).catch(() => undefined);
    this.#release();
  }

  /**
   * The page is unloading (reload, tab closed): say we leave, without waiting,
   * so the others do not see a "reconnecting" ghost for the resume grace period.
   */
  leaveOnUnload(): void {
    if (this.#left) return;
    this.#signaling.notify('room:leave', {});
    this.#release();
  }

  #release(): void {
    this.#left = true;
    this.#generation++;
    clearTimeout(this.#recoveryTimer);
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
    }));
  }

  async #join(recovering: boolean): Promise<void> {
    if (this.#left) return;
    clearTimeout(this.#recoveryTimer);
    const generation = ++this.#generation;
    const stale = () => generation !== this.#generation || this.#left;
    this.#closeMedia();
    this.state.phase = 'joining';
    this.state.error = null;
    try {
      const joined = await this.#requestJoin();
      if (stale()) return;
      this.#applyJoined(joined);
      const media = new MediaSession(this.#signaling, {
        onTransportTrouble: (transport, state) => {
          if (media === this.#media) this.#handleTransportTrouble(media, transport, state);
        },
      });
      this.#media = media;
      await media.load(joined.routerRtpCapabilities);
      await media.createTransports({ send: maySend(this.state) });
      if (stale()) return;
      // Ready and publishing are independent on the server; doing both at once
      // shortens the time to the first remote frame.
      await Promise.all([
        this.#signaling.request('room:ready', { rtpCapabilities: media.rtpCapabilities }),
        this.#publish(media),
      ]);
      if (stale()) return;
      const { receive } = this.state;
      if (receive.audioOnly || receive.maxSpatialLayer < 2) await this.command('receive:settings', receive);
      this.state.phase = 'joined';
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
      if (recovering && !FINAL_CODES.includes(code) && this.#scheduleRecovery()) return;
      this.state.phase = 'error';
      this.state.error = toConsoleError(error).code;
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
          if (this.#left) {
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
      if (roomId !== this.state.roomId || this.#left) return;
      showToast('conference.recovering', 'warn');
      this.state.notice = 'conference.recovering';
      this.#scheduleRecovery();
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
    if (this.#left) return;
    this.#release();
    this.state.phase = reason;
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
    try {
      const consumer = await media.consume(params);
      if (!consumer || media !== this.#media) return;
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
    } catch (error) {
      if (media === this.#media) console.warn('[beacon] consume failed', params.consumerId, error);
    }
  }

  /**
   * Re-joins now, or after a back-off when recoveries repeat (a worker that
   * keeps dying must not become a join storm). False when it gave up.
   */
  #scheduleRecovery(): boolean {
    const now = Date.now();
    this.#recoveries = this.#recoveries.filter((at) => now - at < RECOVERY_WINDOW_MS);
    if (this.#recoveries.length >= MAX_RECOVERIES) return false;
    const delay =
      this.#recoveries.length === 0 ? 0 : Math.min(500 * 2 ** this.#recoveries.length, MAX_RECOVERY_DELAY_MS);
    this.#recoveries.push(now);
    this.#generation++;
    this.#closeMedia();
    this.state.phase = 'joining';
    this.state.error = null;
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = setTimeout(() => void this.#join(true), delay);
    return true;
  }

  /**
   * Socket gone. When joined, keep media and peers (the server keeps us for
   * 30 s as 'reconnecting'); socket.io reconnects by itself and we resume.
   */
  #handleDisconnect(): void {
    if (this.#left) return;
    clearTimeout(this.#recoveryTimer);
    this.#generation++;
    if (this.#media && (this.state.phase === 'joined' || this.state.phase === 'reconnecting')) {
      this.state.phase = 'reconnecting';
      this.state.notice = 'conference.networkLost';
      return;
    }
    this.#closeMedia();
    this.state.phase = 'joining';
    this.state.notice = 'conference.reconnecting';
    this.state.peers = {};
    this.state.activeSpeaker = null;
  }

  /** `room:resume` on the new socket, then an ICE restart per transport; a failure re-joins. */
  async #resume(): Promise<void> {
    const generation = ++this.#generation;
    const stale = () => generation !== this.#generation || this.#left;
    const media = this.#media;
    const peerId = this.state.self?.peerId;
    if (!media || media.closed || !peerId || !this.#resumeToken) return this.#join(true);
    try {
      const resumed = await this.#signaling.request('room:resume', {
        roomId: this.state.roomId,
        peerId,
        resumeToken: this.#resumeToken,
      });
      if (stale()) return;
      this.state.room = resumed.state;
      const peers = resumed.peers as PeerInfo[];
      const self = peers.find((p) => p.peerId === peerId);
      if (self) this.#upsertPeer(self);
      this.#setPeers(peers);
      if (resumed.mediaLost) return this.#join(true);
      // Back in the room; media follows once ICE has restarted (a failure re-joins).
      this.state.phase = 'joined';
      this.state.notice = null;
      Promise.all(media.transports.map((transport) => media.restartIce(transport))).catch((error) => {
        if (media !== this.#media || this.#left) return;
        console.warn('[beacon] ICE restart after resume failed, re-joining', error);
        this.#scheduleRecovery();
      });
    } catch (error) {
      if (stale()) return;
      if (isAuthError(error)) {
        this.#delegate.onAuthFailure(toConsoleError(error).code);
        return;
      }
      console.warn('[beacon] resume failed, re-joining', error);
      await this.#join(true);
    }
  }

  /** ICE trouble while the socket is up: restart ICE; still failed later, or refused: re-join. */
  #handleTransportTrouble(media: MediaSession, transport: types.Transport, state: 'disconnected' | 'failed'): void {
    if (!this.#signaling.connected || this.state.phase !== 'joined') return; // the resume restarts ICE
    if (this.#iceRestarts.has(transport.id)) return;
    this.#iceRestarts.add(transport.id);
    const done = () => this.#iceRestarts.delete(transport.id);
    const restart = async () => {
      if (media !== this.#media || transport.closed || transport.connectionState === 'connected') return done();
      try {
        await media.restartIce(transport);
      } catch (error) {
        console.warn('[beacon] ICE restart failed', error);
        done();
        // Most often the whole link is down and socket.io has not noticed yet (its ping timeout is longer
        // than ICE's): then the resume after reconnecting restarts ICE and keeps our peer, where a re-join
        // now would make us a new participant. So wait out the ping timeout before re-joining.
        setTimeout(() => {
          if (!this.#signaling.connected || this.state.phase !== 'joined' || media !== this.#media) return;
          if (!transport.closed && transport.connectionState !== 'connected') this.#scheduleRecovery();
        }, SOCKET_SILENCE_MS);
        return;
      }
      setTimeout(() => {
        done();
        if (media === this.#media && !transport.closed && transport.connectionState === 'failed') {
          this.#scheduleRecovery();
        }
      }, ICE_RESTART_TIMEOUT_MS);
    };
    setTimeout(() => void restart(), state === 'disconnected' ? ICE_DISCONNECTED_GRACE_MS : 0);
  }

  #closeMedia(): void {
    this.#media?.close();
    this.#media = null;
    this.state.tracks = {};
    this.views.clearConsumers();
    this.#serverPaused.clear();
    this.#hidden.clear();
    this.#iceRestarts.clear();
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
