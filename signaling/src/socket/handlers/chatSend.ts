/**
 * chat:send — stored with the running meeting, then `chat:message` to everyone in the room (sender included).
 * Each meeting keeps a bounded number of messages (BEACON_CHAT_MAX_PER_MEETING); the sender's rate is the
 * flood guard's `chat` class.
 */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';

/** How long a client is told to wait once a meeting's chat is full: the meeting has to end first. */
const CHAT_FULL_RETRY_MS = 60_000;

export const chatSend: Handler<'chat:send'> = async (ctx, { text }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'chat:send');
  const meetingId = (await ctx.journal.meetingOf(room.id)) ?? null;
  if (!ctx.chatBudget.take(meetingId === null ? `room:${room.id}` : `meeting:${meetingId}`)) {
    ctx.metrics.socketRateLimited('chat_history');
    throw BeaconError.rateLimitedMs(
      '本次会议的聊天消息已达上限 / this meeting has its fill of chat',
      CHAT_FULL_RETRY_MS,
    );
  }
  const message = await ctx.store.chat.append({
    roomId: room.id,
    meetingId,
    userId: participant.claims.userId,
    displayName: participant.claims.displayName,
    text,
  });
  ctx.io.to(room.participants().map((p) => p.socketId)).emit('chat:message', message);
  return message;
};
