/** The reactive picture of one conference that the components render. */
import type { ChatMessage, MediaSource, PeerInfo, RoomState } from '@beacon/protocol';
import { reactive } from 'vue';
import type { ClientErrorCode } from '../errors.ts';
import type { ConferencePhase } from './ConferencePhase.ts';
import type { QualitySample } from './quality.ts';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  /** The local consumer is paused (hidden tile, or the producer is paused). */
  paused: boolean;
  /** The simulcast layer the server says we receive (`consumer:layers`); null = unknown or none. */
  spatialLayer: number | null;
  /** The server has reported layers at least once: a null layer then means "none sent". */
  layersReported: boolean;
  /** Resumed but no frame decoded over the last quality sample (QualityMonitor). */
  stalled: boolean;
  /** Frames were decoded over the last quality sample: what the tile shows is live. */
  decoding: boolean;
}

/** What one remote consumer receives (ConferenceSession.consumerLayers(); the e2e tests read it). */
export interface ConsumerLayerView {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  /** The local consumer is paused (hidden tile, or its producer is paused). */
  paused: boolean;
  /** The layer the server says we receive (`consumer:layers`); null = not reported. */
  spatialLayer: number | null;
  /** The layer this page asked for (its view's size, the receive cap); null before any. */
  requestedLayer: number | null;
}

/** Weak-link receive settings (`receive:settings`). */
export interface ReceiveSettings {
  audioOnly: boolean;
  maxSpatialLayer: number;
}

export interface ConferenceState {
  roomId: string;
  /** Joined view-only: a recv transport only, no camera or mic. */
  audience: boolean;
  phase: ConferencePhase;
  error: ClientErrorCode | null;
  /** i18n key of a transient status line (connecting, reconnecting, recovering). */
  notice: string | null;
  self: PeerInfo | null;
  /** Remote peers by peerId (never ourselves). */
  peers: Record<string, PeerInfo>;
  /** Remote tracks by consumerId. */
  tracks: Record<string, RemoteTrack>;
  activeSpeaker: string | null;
  /** The room's control state (null before the join ack). */
  room: RoomState | null;
  chat: ChatMessage[];
  /** The chair's last answer to our speak request. */
  speakResult: { granted: boolean } | null;
  receive: ReceiveSettings;
  /** Connection quality by peerId, ours under `self`. */
  quality: Record<string, QualitySample>;
  localStream: MediaStream | null;
  screenTrack: MediaStreamTrack | null;
  micOn: boolean;
  cameraOn: boolean;
  /** getUserMedia failed for this kind: the toggle is disabled. */
  micAvailable: boolean;
  cameraAvailable: boolean;
}

export function createConferenceState(roomId: string, audience: boolean): ConferenceState {
  return reactive<ConferenceState>({
    roomId,
    audience,
    phase: 'joining',
    error: null,
    notice: 'conference.connecting',
    self: null,
    peers: {},
    tracks: {},
    activeSpeaker: null,
    room: null,
    chat: [],
    speakResult: null,
    receive: { audioOnly: false, maxSpatialLayer: 2 },
    quality: {},
    localStream: null,
    screenTrack: null,
    micOn: !audience,
    cameraOn: !audience,
    micAvailable: !audience,
    cameraAvailable: !audience,
  });
}

/** The video a peer shows: its screen share when `preferScreen`, else its camera, else any video. */
export function videoOf(state: ConferenceState, peerId: string, preferScreen = false): RemoteTrack | null {
  let camera: RemoteTrack | null = null;
  let screen: RemoteTrack | null = null;
  for (const t of Object.values(state.tracks)) {
    if (t.peerId !== peerId || t.kind !== 'video') continue;
    if (t.source === 'screen') screen = t;
    else camera = t;
  }
  return preferScreen ? (screen ?? camera) : (camera ?? screen);
}

/**
 * A video the weak link holds back: the server's receive budget has no room
 * for it (the main view and audio come first) or its frames stopped coming,
 * so the tile says so instead of showing a frozen frame without a word. The
 * server's "no layer" report shows the notice at once, until a quality
 * sample sees frames decoding: a tile showing live video never claims to be
 * paused, whatever report came last.
 */
export function heldBackByLink(track: RemoteTrack | null | undefined): boolean {
  if (track?.kind !== 'video' || track.paused) return false;
  return track.stalled || (track.layersReported && track.spatialLayer === null && !track.decoding);
}

export function removePeerTracks(state: ConferenceState, peerId: string): string[] {
  const removed = Object.values(state.tracks)
    .filter((t) => t.peerId === peerId)
    .map((t) => t.consumerId);
  for (const id of removed) delete state.tracks[id];
  return removed;
}

/** Chair or co-chair: sees the chair panel. */
export function isModerator(peer: PeerInfo | null): boolean {
  return peer?.meetingRole === 'chair' || peer?.meetingRole === 'cochair';
}

/** The broadcast presenter's peerId: the named one, else the chair. */
export function presenterId(state: ConferenceState): string | null {
  if (state.room?.presenterPeerId) return state.room.presenterPeerId;
  const everyone = state.self ? [state.self, ...Object.values(state.peers)] : Object.values(state.peers);
  return everyone.find((p) => p.meetingRole === 'chair')?.peerId ?? null;
}

/** We may send media: not audience, and in broadcast mode only the presenter. */
export function maySend(state: ConferenceState): boolean {
  if (state.audience || state.self?.meetingRole === 'audience') return false;
  if (state.room?.mode !== 'broadcast') return true;
  return state.self !== null && presenterId(state) === state.self.peerId;
}
