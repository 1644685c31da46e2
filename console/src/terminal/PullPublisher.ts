/**
 * The terminal's side of a video pull (监控调阅): joins the pull room on the
 * terminal page's own socket and sends the camera only — no mic, and no
 * receive transport or `room:ready`, since a pull room is one-way (the duty
 * officers in it are view-only audience). Reuses MediaSession for the
 * mediasoup objects.
 *
 *   idle ──start(room)──► joining ──► sending ──stop()/drop()──► idle
 *                            └──(error)──► idle (error kept for the page)
 */
import { shallowRef } from 'vue';
import { DeviceCache } from '../conference/DeviceCache.ts';
import { MediaSession } from '../conference/MediaSession.ts';
import { type ClientErrorCode, toConsoleError } from '../errors.ts';
import type { SignalingClient } from '../signaling/SignalingClient.ts';

export type PullPhase = 'idle' | 'joining' | 'sending';

const CAMERA: MediaTrackConstraints = { width: 1280, height: 720 };

export class PullPublisher {
  /** The Device of the last pull, reused by the next one (the same node's capabilities). */
  readonly #devices = new DeviceCache();
  readonly #signaling: SignalingClient;
  /** Reactive for the page's indicator. */
  readonly phase = shallowRef<PullPhase>('idle');
  readonly roomId = shallowRef<string | null>(null);
  readonly error = shallowRef<ClientErrorCode | null>(null);
  #media: MediaSession | null = null;
  #stream: MediaStream | null = null;
  /** Bumped by every start/stop: a superseded start drops what it got. */
  #generation = 0;

  constructor(signaling: SignalingClient) {
    this.#signaling = signaling;
  }

  get idle(): boolean {
    return this.phase.value === 'idle';
  }

  /** Starts sending into `roomId` (a no-op when already there). */
  async start(roomId: string): Promise<void> {
    if (this.roomId.value === roomId && this.phase.value !== 'idle') return;
    if (this.phase.value !== 'idle') await this.stop();
    const generation = ++this.#generation;
    const stale = () => generation !== this.#generation;
    this.roomId.value = roomId;
    this.phase.value = 'joining';
    this.error.value = null;
    try {
      const joined = await this.#join(roomId);
      const device = await this.#devices.device(joined.routerRtpCapabilities);
      if (stale()) {
        // Stopped while joining (not restarted): do not stay in the room.
        if (this.idle) await this.#signaling.request('room:leave', {}).catch(() => undefined);
        return;
      }
      const media = new MediaSession(this.#signaling, device, {
        // A broken link ends this pull; the duty officer pulls again (a new pull:request).
        onTransportTrouble: (_transport, state) => {
          if (state === 'failed' && media === this.#media) void this.stop();
        },
      });
      this.#media = media;
      await media.ensureSendTransport();
      const stream = await navigator.mediaDevices.getUserMedia({ video: CAMERA, audio: false });
      if (stale()) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      this.#stream = stream;
      await media.publish(stream);
      if (stale()) return;
      this.phase.value = 'sending';
    } catch (error) {
      if (stale()) return;
      console.warn('[beacon] pull: could not send the camera', roomId, error);
      this.error.value = toConsoleError(error).code;
      await this.stop();
    }
  }

  /** Leaves the pull room and releases the camera. */
  async stop(): Promise<void> {
    const wasIn = this.phase.value !== 'idle';
    this.drop();
    if (wasIn && this.#signaling.connected) {
      await this.#signaling.request('room:leave', {}, 3000).catch(() => undefined);
    }
  }

  /** Releases everything locally without telling the server (the socket is gone). */
  drop(): void {
    this.#generation++;
    this.#media?.close();
    this.#media = null;
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    this.phase.value = 'idle';
    this.roomId.value = null;
  }

  /** room:join; when the server still holds this socket in a room (a fast re-pull), leave it first. */
  async #join(roomId: string) {
    try {
      return await this.#signaling.request('room:join', { roomId });
    } catch (error) {
      if (toConsoleError(error).code !== 'already_in_room') throw error;
      await this.#signaling.request('room:leave', {}).catch(() => undefined);
      return this.#signaling.request('room:join', { roomId });
    }
  }
}
