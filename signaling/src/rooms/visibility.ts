/**
 * Who hears about whom. A training broadcast may have hundreds of audience
 * members: telling each of them about every other one would be O(n²) emits
 * per wave of joins. So audience peers are visible only to the chair and
 * co-chairs (who manage them), to staff accounts (admin, chair, duty officer:
 * nobody watches a meeting unseen by the city) and to themselves; everyone sees the non-
 * audience peers. A peer promoted out of the audience (a granted speak
 * request) reaches the others as `peer:updated`, which clients upsert.
 */
import type { MeetingRole, PeerInfo } from '@beacon/protocol';
import type { ConferenceRoom } from './ConferenceRoom.ts';
import type { Participant } from './Participant.ts';
import { accountMay } from './permissions.ts';

export function sees(viewer: Participant, peer: { peerId: string; meetingRole: MeetingRole }): boolean {
  return (
    peer.meetingRole !== 'audience' ||
    viewer.isModerator ||
    viewer.peerId === peer.peerId ||
    // Staff see who watches, whatever their own meeting role (the duty desk is audience in a pull room).
    accountMay(viewer.claims.role, 'rooms:joinAny')
  );
}

/** The peers `viewer` is told about in its join/resume ack (not itself). */
export function visiblePeers(room: ConferenceRoom, viewer: Participant): PeerInfo[] {
  const peers: PeerInfo[] = [];
  for (const p of room.participants()) {
    if (p !== viewer && sees(viewer, p)) peers.push(p.info());
  }
  return peers;
}

/** The participants that hear about `peer` (joined, updated, left), optionally without the peer itself. */
export function audienceOf(
  room: ConferenceRoom,
  peer: { peerId: string; meetingRole: MeetingRole },
  opts: { includeSelf: boolean },
): Participant[] {
  return room.participants().filter((v) => sees(v, peer) && (opts.includeSelf || v.peerId !== peer.peerId));
}
