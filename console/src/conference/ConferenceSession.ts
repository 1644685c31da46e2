/**
 * Drives one conference: connects signaling, joins the room, publishes the
 * local camera and mic, consumes what the server offers, and re-joins after a
 * socket reconnect or a `room:recreated` (the media worker was replaced).
 *
 *   start ──► joining ──► joined ──► (leave) ──► left
 *                ▲   │        │
 *                │   ▼        │ disconnect / room:recreated
 *                │ error      │
 *                └────────────┘
 *
 * Every join attempt gets a generation number; an attempt that a newer one
 * superseded drops its results instead of touching state. Re-joins (recovery)
 * back off when they repeat, and retry transient failures before giving up.
 */
import type { ClientEventResults, ConsumerParams, PeerInfo } from '@beacon/signaling/protocol';
import { type ClientErrorCode, isAuthError, toConsoleError } from '../errors.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import { showToast } from '../toast.ts';
import { type ConferenceState, createConferenceState, removePeerTracks } from './conferenceState.ts';
import { MediaSession } from './MediaSession.ts';

export interface ConferenceDelegate {
  onAuthFailure(code: ClientErrorCode): void;
}

const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: 1280, height: 720 };
/** Recoveries within this window count towards the back-off and the give-up limit. */
const RECOVERY_WINDOW_MS = 60_000;
const MAX_RECOVERIES = 8;
const MAX_RECOVERY_DELAY_MS = 10_000;
/** Failures that end a recovery at once; anything else is retried. */
const FINAL_CODES: readonly ClientErrorCode[] = ['forbidden', 'bad_request', 'unauthorized', 'token_expired'];

export class ConferenceSession {
  readonly state: ConferenceState;
  readonly #signaling: SignalingClient;
  readonly #delegate: ConferenceDelegate;
  #media: MediaSession | null = null;
  #localStream: Promise<MediaStream | null> | null = null;
  #generation = 0;
  #left = false;
  #connectedBefore = false;
  #recoveries: number[] = [];
  #recoveryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(roomId: string, token: string, delegate: ConferenceDelegate) {
    this.state = createConferenceState(roomId);
    this.#delegate = delegate;
    this.#signaling = new SignalingClient(token, {
      onConnect: () => {
        // A reconnect means the server dropped us: re-join as a recovery.
        void this.#join(this.#connectedBefore);
        this.#connectedBefore = true;
      },
      onDisconnect: () => this.#handleDisconnect(),
      onAuthFailure: (code) => this.#delegate.onAuthFailure(code),
      onConnectError: () => {
        if (this.state.phase !== 'joined') this.state.notice = 'conference.connecting';
      },
    });
    this.#listen();
  }

  get media(): MediaSession | null {
    return this.#media;
  }

  start(): void {
    // Open the camera while the socket connects: both take a while.
    void this.#getLocalStream();
    this.#signaling.connect();
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
    clearTimeout(this.#recoveryTimer);
    if (this.#signaling.connected) await this.#signaling.request('room:leave', {}, 3000).catch(() => undefined);
    this.#closeMedia();
    this.#signaling.close();
    for (const track of this.state.localStream?.getTracks() ?? []) track.stop();
    this.state.localStream = null;
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
    try {
      await this.#media?.setProducerPaused(source, !on);
    } catch (error) {
      this.state[key] = !on;
      this.#reportError(error);
    }
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
      const media = new MediaSession(this.#signaling, () => {
        if (media === this.#media) this.#scheduleRecovery();
      });
      this.#media = media;
      await media.load(joined.routerRtpCapabilities);
      await media.createTransports();
      if (stale()) return;
      // Ready and publishing are independent on the server; doing both at once
      // shortens the time to the first remote frame.
      await Promise.all([
        this.#signaling.request('room:ready', { rtpCapabilities: media.rtpCapabilities }),
        this.#publish(media),
      ]);
      if (stale()) return;
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
    const payload = { roomId: this.state.roomId };
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
    this.state.peers = Object.fromEntries(
      joined.peers.filter((p) => p.peerId !== joined.self.peerId).map((p) => [p.peerId, p]),
    );
    this.state.tracks = {};
    this.state.activeSpeaker = null;
  }

  async #publish(media: MediaSession): Promise<void> {
    const stream = await this.#getLocalStream();
    if (!stream || media.closed) return;
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
      for (const consumerId of removePeerTracks(this.state, peerId)) this.#media?.closeConsumer(consumerId);
      if (this.state.activeSpeaker === peerId) this.state.activeSpeaker = null;
    });
    socket.on('consumer:new', (params) => void this.#consume(params));
    socket.on('consumer:closed', ({ consumerId }) => {
      this.#media?.closeConsumer(consumerId);
      delete this.state.tracks[consumerId];
    });
    socket.on('consumer:paused', ({ consumerId }) => this.#media?.setConsumerPaused(consumerId, true));
    socket.on('consumer:resumed', ({ consumerId }) => this.#media?.setConsumerPaused(consumerId, false));
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
    if (peer.peerId === this.state.self?.peerId) this.state.self = peer;
    else this.state.peers[peer.peerId] = peer;
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
      };
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

  #handleDisconnect(): void {
    if (this.#left) return;
    clearTimeout(this.#recoveryTimer);
    this.#generation++;
    this.#closeMedia();
    this.state.phase = 'joining';
    this.state.notice = 'conference.reconnecting';
    this.state.peers = {};
    this.state.activeSpeaker = null;
  }

  #closeMedia(): void {
    this.#media?.close();
    this.#media = null;
    this.state.tracks = {};
  }

  #reportError(error: unknown): void {
    const failure = toConsoleError(error);
    if (isAuthError(failure)) this.#delegate.onAuthFailure(failure.code);
    else showToast(`errors.${failure.code}`, 'error');
  }
}
