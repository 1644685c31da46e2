/**
 * One panel of the video wall (监控调阅): asks the server to pull a township
 * terminal's camera (`pull:start` → the pull room) or a GB/T 28181 camera's
 * live view (REST → the camera room), then watches that room view-only with
 * an audience ConferenceSession — the conference machinery, not a second
 * WebRTC stack. Closing leaves the room, then `pull:stop` (or ends the view).
 *
 *   starting ──(pull:start ok)──► watching ──(close)──► closed
 *       └──(refused)──► closed (the wall drops the panel)
 */
import { markRaw, shallowRef } from 'vue';
import { ConferenceSession } from '../conference/ConferenceSession.ts';
import type { RemoteTrack } from '../conference/conferenceState.ts';
import { statsAsObjects } from '../conference/MediaSession.ts';
import type { ClientErrorCode } from '../errors.ts';
import type { SignalingClient } from '../signaling/SignalingClient.ts';

export type PulledVideoPhase = 'starting' | 'watching' | 'closed';

export interface PulledVideoDelegate {
  onAuthFailure(code: ClientErrorCode): void;
  /** The pull room ended on the server: the wall drops the panel. */
  onEnded(panel: PulledVideo): void;
}

/** How a panel gets its room and gives it back: a township terminal by default, a camera (camera.ts) otherwise. */
export interface PullSource {
  start(wall: SignalingClient): Promise<{ roomId: string }>;
  stop(wall: SignalingClient | null): Promise<void>;
}

export const townshipSource = (townshipId: string): PullSource => ({
  start: (wall) => wall.request('pull:start', { townshipId }),
  stop: async (wall) => {
    if (wall?.connected) await wall.request('pull:stop', { townshipId });
  },
});

export class PulledVideo {
  /** The panel's key on the wall: a township ID, or `cam:<channelId>` for a camera. */
  readonly townshipId: string;
  /** Set for a camera panel: its channel ID (the PTZ controls use it). */
  readonly cameraId: string | null;
  readonly #source: PullSource;
  /** Reactive for the panel: the phase and the audience session once the room is known. */
  readonly phase = shallowRef<PulledVideoPhase>('starting');
  readonly #conference = shallowRef<ConferenceSession | null>(null);
  readonly #token: string;
  readonly #delegate: PulledVideoDelegate;
  /** The <video> showing the pulled camera, registered by the panel (snapshots draw it). */
  videoElement: HTMLVideoElement | null = null;

  constructor(
    townshipId: string,
    token: string,
    delegate: PulledVideoDelegate,
    camera: { channelId: string; source: PullSource } | null = null,
  ) {
    this.townshipId = townshipId;
    this.cameraId = camera?.channelId ?? null;
    this.#source = camera?.source ?? townshipSource(townshipId);
    this.#token = token;
    this.#delegate = delegate;
    markRaw(this);
  }

  get conference(): ConferenceSession | null {
    return this.#conference.value;
  }

  /** The terminal's camera in the pull room, once consumed (reactive through the session's state). */
  get videoTrack(): RemoteTrack | null {
    const tracks = Object.values(this.#conference.value?.state.tracks ?? {});
    return (
      tracks.find((t) => t.kind === 'video' && t.source === 'camera') ?? tracks.find((t) => t.kind === 'video') ?? null
    );
  }

  /** Asks for the pull over the wall's socket and joins the room as audience; rejects when refused. */
  async start(wall: SignalingClient): Promise<void> {
    const { roomId } = await this.#source.start(wall);
    if (this.phase.value === 'closed') {
      // Closed while the request was in flight: undo the pull.
      await this.#source.stop(wall).catch(() => undefined);
      return;
    }
    const conference = new ConferenceSession(
      roomId,
      this.#token,
      {
        onAuthFailure: (code) => this.#delegate.onAuthFailure(code),
        onClosed: () => this.#delegate.onEnded(this),
      },
      { audience: true },
    );
    this.#conference.value = markRaw(conference);
    this.phase.value = 'watching';
    conference.start();
  }

  /** Leaves the pull room (the stream stops), then tells the server the pull is over. */
  async close(wall: SignalingClient | null): Promise<void> {
    if (this.phase.value === 'closed') return;
    const wasWatching = this.phase.value === 'watching';
    this.phase.value = 'closed';
    await this.#conference.value?.leave();
    if (wasWatching) {
      await this.#source.stop(wall).catch((error) => {
        console.warn('[beacon] pull:stop failed', this.townshipId, error);
      });
    }
  }

  /** The current frame as a JPEG data URL; null before the first frame. */
  snapshot(quality = 0.85): string | null {
    const video = this.videoElement;
    if (!video || video.videoWidth === 0 || video.videoHeight === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    if (!context) return null;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL('image/jpeg', quality);
  }

  /** Frames decoded so far on the panel's receive transport (a test hook). */
  async framesDecoded(): Promise<number> {
    const stats = await statsAsObjects(this.#conference.value?.media?.recvTransport ?? null);
    return stats
      .filter((s) => s.type === 'inbound-rtp' && s.kind === 'video')
      .reduce((sum, s) => sum + (typeof s.framesDecoded === 'number' ? s.framesDecoded : 0), 0);
  }
}
