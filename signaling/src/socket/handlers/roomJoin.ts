/**
 * room:join — enter a conference room that exists in the store and admits
 * the account (rooms/membership.ts; a refusal is audited). The media
 * room is created on the first join (serialised in the registry); others hear
 * `peer:joined` through the room bridge. The meeting role is picked and the
 * lock checked in the same turn as the add, so two chairs joining at once
 * cannot both chair and nobody slips past a lock.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError } from '@beacon/protocol';
import type { ConferenceRoom } from '../../rooms/ConferenceRoom.ts';
import { requireMember } from '../../rooms/membership.ts';
import { Participant, ParticipantState } from '../../rooms/Participant.ts';
import { isChairAccount, roleOnJoin } from '../../rooms/permissions.ts';
import { visiblePeers } from '../../rooms/visibility.ts';
import type { Handler } from '../types.ts';

/** How much chat a join brings along. */
const CHAT_HISTORY = 200;

export const roomJoin: Handler<'room:join'> = async (ctx, { roomId, audience = false }) => {
  const current = ctx.session.lookup(ctx.registry);
  if (current) {
    throw new BeaconError('already_in_room', `already in room "${current.room.id}"; leave it first`);
  }
  const record = await ctx.store.rooms.get(roomId);
  if (!record) throw new BeaconError('room_not_found', `room "${roomId}" not found`);
  // A room an admin disabled is kept for its history but no longer met in.
  if (!record.enabled) throw new BeaconError('room_not_found', `会议室已停用 / room "${roomId}" is disabled`);

  const { claims } = ctx.session;
  try {
    await requireMember(ctx.store, record, claims);
  } catch (err) {
    await ctx.store.audit.append({
      actorId: claims.userId,
      role: claims.role,
      action: 'room.join_refused',
      target: roomId,
      detail: { reason: 'not_a_member', audience },
    });
    throw err;
  }
  const participant = new Participant({ peerId: randomUUID(), roomId, socketId: ctx.socket.id, claims });
  let room: ConferenceRoom;
  try {
    room = await ctx.registry.join(roomId, participant, {
      mode: record.kind === 'training' ? 'broadcast' : 'meeting',
      admit: (target) => {
        if (target.control.locked && !isChairAccount(claims)) {
          throw new BeaconError('room_locked', '会议已锁定 / the meeting is locked');
        }
        const hasChair = target.chair() !== undefined;
        participant.meetingRole = roleOnJoin({
          claims,
          audience,
          roomKind: record.kind,
          hasChair,
          createdBy: record.createdBy,
        });
      },
    });
  } catch (err) {
    participant.transition(ParticipantState.Left);
    if (err instanceof BeaconError) throw err;
    ctx.log.warn({ err, roomId }, 'room media could not be opened');
    throw new BeaconError('media_unavailable', 'could not open the room media', { cause: err });
  }
  ctx.session.setCurrent({ roomId, peerId: participant.peerId });
  await ctx.store.audit.append({
    actorId: claims.userId,
    action: 'room.join',
    target: roomId,
    detail: { peerId: participant.peerId, meetingRole: participant.meetingRole },
  });
  const meetingId = await ctx.journal.meetingOf(roomId);
  const chat = meetingId === undefined ? [] : await ctx.store.chat.listByMeeting(meetingId, CHAT_HISTORY);

  return {
    peerId: participant.peerId,
    roomId,
    routerRtpCapabilities: room.routerRtpCapabilities,
    peers: visiblePeers(room, participant),
    self: participant.info(),
    state: room.state(),
    chat,
    resumeToken: participant.resumeToken,
  };
};
