/** chat:send — stored with the running meeting, then `chat:message` to everyone in the room (sender included). */
import type { Handler } from '../types.ts';

export const chatSend: Handler<'chat:send'> = async (ctx, { text }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'chat:send');
  const message = await ctx.store.chat.append({
    roomId: room.id,
    meetingId: (await ctx.journal.meetingOf(room.id)) ?? null,
    userId: participant.claims.userId,
    displayName: participant.claims.displayName,
    text,
  });
  ctx.io.to(room.participants().map((p) => p.socketId)).emit('chat:message', message);
  return message;
};
