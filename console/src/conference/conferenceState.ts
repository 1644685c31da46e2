/** The reactive picture of one conference that the components render. */
import type { MediaSource, PeerInfo } from '@beacon/signaling/protocol';
import { reactive } from 'vue';
import type { ClientErrorCode } from '../errors.ts';

/** Mirrors `data-state` on the conference root (a test hook). */
export type ConferencePhase = 'joining' | 'joined' | 'error';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
}

export interface ConferenceState {
  roomId: string;
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
  localStream: MediaStream | null;
  micOn: boolean;
  cameraOn: boolean;
  /** getUserMedia failed for this kind: the toggle is disabled. */
  micAvailable: boolean;
  cameraAvailable: boolean;
}

export function createConferenceState(roomId: string): ConferenceState {
  return reactive<ConferenceState>({
    roomId,
    phase: 'joining',
    error: null,
    notice: 'conference.connecting',
    self: null,
    peers: {},
    tracks: {},
    activeSpeaker: null,
    localStream: null,
    micOn: true,
    cameraOn: true,
    micAvailable: true,
    cameraAvailable: true,
  });
}

/** The video track shown in a peer's tile: the camera, else any other video. */
export function videoTrackOf(state: ConferenceState, peerId: string): MediaStreamTrack | null {
  let fallback: MediaStreamTrack | null = null;
  for (const t of Object.values(state.tracks)) {
    if (t.peerId !== peerId || t.kind !== 'video') continue;
    if (t.source === 'camera') return t.track;
    fallback = t.track;
  }
  return fallback;
}

export function removePeerTracks(state: ConferenceState, peerId: string): string[] {
  const removed = Object.values(state.tracks)
    .filter((t) => t.peerId === peerId)
    .map((t) => t.consumerId);
  for (const id of removed) delete state.tracks[id];
  return removed;
}
