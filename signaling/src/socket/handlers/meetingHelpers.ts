/** Small helpers the meeting-control handlers share. */
import { BeaconError } from '@beacon/protocol';
import { auditedChange } from '../../audit/auditedChange.ts';
import type { ConferenceRoom } from '../../rooms/ConferenceRoom.ts';
import type { Participant } from '../../rooms/Participant.ts';
import type { StoreRepositories } from '../../store/index.ts';
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
  return ctx.store.audit.append({ actorId: actor.claims.userId, ...meetingLine(actor, action, room, detail) });
}

/** A chair action that changes the store: the change and its audit entry in one transaction. */
export function auditedMeetingChange<T>(
  ctx: HandlerContext,
  actor: Participant,
  action: string,
  room: ConferenceRoom,
  change: (tx: StoreRepositories) => Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<T> {
  return auditedChange(ctx.store, { actorId: actor.claims.userId }, change, () =>
    meetingLine(actor, action, room, detail),
  );
}

function meetingLine(actor: Participant, action: string, room: ConferenceRoom, detail: Record<string, unknown>) {
  return { action: `meeting.${action}`, target: room.id, detail: { peerId: actor.peerId, ...detail } };
}
