/** Small helpers the meeting-control handlers share. */
import { BeaconError } from '@beacon/protocol';
import type { ConferenceRoom } from '../../rooms/ConferenceRoom.ts';
import type { Participant } from '../../rooms/Participant.ts';
import type { HandlerContext } from '../types.ts';

/** The target of a chair action, or not_found. */
export function peerIn(room: ConferenceRoom, peerId: string): Participant {
  const target = room.get(peerId);
  if (!target) throw new BeaconError('not_found', `participant "${peerId}" is not in this meeting`);
  return target;
}

/** One audit entry per chair action: who did what to whom in which room. */
export function auditMeeting(
  ctx: HandlerContext,
  actor: Participant,
  action: string,
  room: ConferenceRoom,
  detail: Record<string, unknown> = {},
): Promise<void> {
  return ctx.store.audit.append({
    actorId: actor.claims.userId,
    action: `meeting.${action}`,
    target: room.id,
    detail: { peerId: actor.peerId, ...detail },
  });
}
