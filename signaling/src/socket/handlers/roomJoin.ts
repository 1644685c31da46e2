/**
 * room:join — enter a conference room that exists in the store. The media
 * room is created on the first join (serialised in the registry); others hear
 * `peer:joined` through the room bridge.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError } from '../../protocol/errors.ts';
import type { ConferenceRoom } from '../../rooms/ConferenceRoom.ts';
import { Participant, ParticipantState } from '../../rooms/Participant.ts';
import type { Handler } from '../types.ts';

export const roomJoin: Handler<'room:join'> = async (ctx, { roomId }) => {
  const current = ctx.session.lookup(ctx.registry);
  if (current) {
    throw new BeaconError('already_in_room', `already in room "${current.room.id}"; leave it first`);
  }
  if (!ctx.store.rooms.get(roomId)) throw new BeaconError('room_not_found', `room "${roomId}" not found`);

  const { claims } = ctx.session;
  const participant = new Participant({ peerId: randomUUID(), roomId, socketId: ctx.socket.id, claims });
  let room: ConferenceRoom;
  try {
    room = await ctx.registry.join(roomId, participant);
  } catch (err) {
    participant.transition(ParticipantState.Left);
    ctx.log.warn({ err, roomId }, 'room media could not be opened');
    throw new BeaconError('media_unavailable', 'could not open the room media', { cause: err });
  }
  ctx.session.setCurrent({ roomId, peerId: participant.peerId });
  ctx.store.audit.append({
    actorId: claims.userId,
    action: 'room.join',
    target: roomId,
    detail: { peerId: participant.peerId },
  });

  return {
    peerId: participant.peerId,
    roomId,
    routerRtpCapabilities: room.routerRtpCapabilities,
    peers: room.others(participant.peerId).map((p) => p.info()),
    self: participant.info(),
  };
};
