/**
 * What the main view shows: the room's spotlight (roll call, polling, a
 * granted speaker, a screen share), else someone sharing a screen, else the
 * active speaker, else the chair. A peer's screen share wins over its camera.
 */
import type { PeerInfo, RoomState } from '@beacon/protocol';
import { type ConferenceState, type RemoteTrack, videoOf } from './conferenceState.ts';

export type SpotlightReason = NonNullable<RoomState['spotlightReason']>;

export interface MainViewChoice {
  peer: PeerInfo;
  isSelf: boolean;
  source: 'camera' | 'screen';
  /** Remote video shown (null for ourselves or a peer without video). */
  remote: RemoteTrack | null;
  /** Why this peer is on the main view (banner); null = just the active speaker. */
  reason: SpotlightReason | null;
}

export function chooseMainView(state: ConferenceState): MainViewChoice | null {
  const self = state.self;
  const peers = Object.values(state.peers).sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
  const find = (peerId: string | null | undefined): PeerInfo | null => {
    if (!peerId) return null;
    if (self?.peerId === peerId) return self;
    return state.peers[peerId] ?? null;
  };
  const spotlight = find(state.room?.spotlightPeerId);
  const notSelf = (peer: PeerInfo | null) => (peer && peer.peerId !== self?.peerId ? peer : null);
  const peer =
    spotlight ??
    peers.find((p) => p.screenSharing) ??
    notSelf(find(state.activeSpeaker)) ??
    peers.find((p) => p.meetingRole === 'chair') ??
    peers[0] ??
    self;
  if (!peer) return null;
  const isSelf = peer.peerId === self?.peerId;
  const remote = isSelf ? null : videoOf(state, peer.peerId, true);
  const sharing = isSelf ? state.screenTrack !== null : remote?.source === 'screen';
  const source = sharing ? 'screen' : 'camera';
  let reason: SpotlightReason | null = null;
  if (spotlight && peer === spotlight) reason = state.room?.spotlightReason ?? null;
  if (!reason && sharing) reason = 'screen';
  return { peer, isSelf, source, remote, reason };
}
